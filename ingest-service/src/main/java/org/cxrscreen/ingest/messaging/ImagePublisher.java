package org.cxrscreen.ingest.messaging;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.cxrscreen.contracts.ImageReceived;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes accepted images on {@code xray.images.v1}, keyed by image id, and waits for Kafka's
 * acknowledgement: an upload is answered 202 only once its event is stored by the broker.
 */
@ApplicationScoped
public class ImagePublisher {

    private final MutinyEmitter<ImageReceived> emitter;

    public ImagePublisher(@Channel("images-out") MutinyEmitter<ImageReceived> emitter) {
        this.emitter = emitter;
    }

    /**
     * @throws PublishFailedException when the broker does not acknowledge within {@code timeout}
     */
    public void publish(ImageReceived event, Duration timeout) {
        Message<ImageReceived> message = Message.of(event)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.imageId()).build());
        try {
            emitter.sendMessage(message).await().atMost(timeout);
        } catch (RuntimeException e) {
            throw new PublishFailedException("the image could not be stored on the event stream: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        }
    }

    /** The broker did not take the event; nothing was accepted. */
    public static class PublishFailedException extends RuntimeException {
        public PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
