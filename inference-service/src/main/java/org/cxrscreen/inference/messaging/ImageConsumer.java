package org.cxrscreen.inference.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.inference.ml.ClassifierService;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

/**
 * Consumes {@code xray.images.v1} and publishes one {@code PredictionMade} per image on
 * {@code xray.predictions.v1}, keyed by image id. The offset is committed only after the prediction
 * is acknowledged by Kafka. A record that is not a valid event, or whose image cannot be decoded,
 * goes to {@code xray.images.v1.dlq} with the reason, and the stream goes on.
 */
@ApplicationScoped
public class ImageConsumer {

    private final ClassifierService classifier;
    private final MeterRegistry metrics;

    public ImageConsumer(ClassifierService classifier, MeterRegistry metrics) {
        this.classifier = classifier;
        this.metrics = metrics;
    }

    @Incoming("images")
    @Outgoing("predictions")
    @Blocking
    public PredictionMade classify(byte[] record) {
        ImageReceived image = EventCodec.decode(record, ImageReceived.class);
        PredictionMade prediction = classifier.classify(image);
        metrics.counter("inference.predictions", "label", prediction.label().name()).increment();
        metrics.timer("inference.duration").record(java.time.Duration.ofNanos((long) (prediction.inferenceMillis() * 1e6)));
        return prediction;
    }
}
