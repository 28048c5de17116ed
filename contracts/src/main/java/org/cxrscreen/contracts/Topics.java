package org.cxrscreen.contracts;

import java.util.ArrayList;
import java.util.List;

/** Topic names. A breaking change to a record is a new record on a {@code .v2} topic. */
public final class Topics {

    /** Key: image id. Value: {@link ImageReceived}. */
    public static final String IMAGES = "xray.images.v1";
    /** Key: image id. Value: {@link PredictionMade}. */
    public static final String PREDICTIONS = "xray.predictions.v1";
    /** Key: image id. Value: {@link LabelAssigned}. */
    public static final String LABELS = "xray.labels.v1";
    /** Key: model name. Value: {@link ModelPublished}. */
    public static final String MODELS = "models.published.v1";

    /** Largest record the system produces (an inline canonical image with its metadata), in bytes. */
    public static final int MAX_RECORD_BYTES = 10 * 1024 * 1024;

    private Topics() {
    }

    /** The event topics, in the order data flows through them. */
    public static List<String> events() {
        return List.of(IMAGES, PREDICTIONS, LABELS, MODELS);
    }

    /** Every topic the system uses: the event topics and their dead-letter topics. */
    public static List<String> all() {
        List<String> all = new ArrayList<>(events());
        events().forEach(topic -> all.add(deadLetter(topic)));
        return List.copyOf(all);
    }

    /** The dead-letter topic of a topic: the original record plus the reason in its headers. */
    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }
}
