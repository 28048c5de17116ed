package org.cxrscreen.contracts;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A model's classification of one image. Published on {@link Topics#PREDICTIONS}, keyed by
 * {@code imageId}; (imageId, modelVersion) identifies it, so a redelivery changes nothing downstream.
 *
 * @param modelName the model's name
 * @param modelVersion the version that produced it
 * @param label the most probable class
 * @param probabilities every class with its probability; they sum to 1
 * @param worker the inference worker that ran it
 * @param inferenceMillis time spent in the model, preprocessing included
 * @param imageReceivedAt when the ingest accepted the image, to measure end-to-end latency
 * @param members each member's prediction when the model is an ensemble; null otherwise (added in
 *     schema version 1 as an optional field)
 */
public record PredictionMade(
        UUID eventId,
        Instant occurredAt,
        int schemaVersion,
        String imageId,
        String modelName,
        String modelVersion,
        ScreeningClass label,
        Map<ScreeningClass, Double> probabilities,
        String worker,
        double inferenceMillis,
        Instant imageReceivedAt,
        List<MemberPrediction> members) implements Event {

    public static final int SCHEMA_VERSION = 1;

    public PredictionMade {
        Validation.envelope(eventId, occurredAt, schemaVersion);
        Validation.notBlank(imageId, "imageId");
        Validation.notBlank(modelName, "modelName");
        Validation.notBlank(modelVersion, "modelVersion");
        Validation.required(label, "label");
        if (probabilities == null || probabilities.isEmpty()) {
            throw new IllegalArgumentException("probabilities are required");
        }
        probabilities.forEach((c, p) -> {
            if (c == null || p == null || !(p >= 0.0 && p <= 1.0)) {
                throw new IllegalArgumentException("probabilities must map classes to values in [0, 1], got "
                        + c + "=" + p);
            }
        });
        probabilities = Collections.unmodifiableMap(new EnumMap<>(probabilities));
        members = members == null ? null : List.copyOf(members);
    }

    /** A prediction of a single model, without members. */
    public PredictionMade(UUID eventId, Instant occurredAt, int schemaVersion, String imageId, String modelName,
            String modelVersion, ScreeningClass label, Map<ScreeningClass, Double> probabilities, String worker,
            double inferenceMillis, Instant imageReceivedAt) {
        this(eventId, occurredAt, schemaVersion, imageId, modelName, modelVersion, label, probabilities, worker,
                inferenceMillis, imageReceivedAt, null);
    }
}
