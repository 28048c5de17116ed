package org.cxrscreen.results.messaging;

import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.Retrying;
import org.cxrscreen.results.persistence.ResultStore;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code xray.images.v1} (metadata only) and {@code xray.predictions.v1} into PostgreSQL.
 * A record that is not a valid event goes at once to its topic's {@code .dlq} with the reason; a
 * failing database write is retried with backoff (a transient fault), and only then dead-lettered.
 */
@ApplicationScoped
public class ResultConsumers {

    private final ResultStore store;
    private final Retrying retrying = Retrying.standard();

    public ResultConsumers(ResultStore store) {
        this.store = store;
    }

    @Incoming("images")
    @Blocking
    public void onImage(byte[] record) {
        ImageReceived event = EventCodec.decode(record, ImageReceived.class);
        retrying.run("store image " + event.imageId(), () -> store.record(event));
    }

    @Incoming("predictions")
    @Blocking
    public void onPrediction(byte[] record) {
        PredictionMade event = EventCodec.decode(record, PredictionMade.class);
        retrying.run("store prediction " + event.imageId() + "/" + event.modelVersion(), () -> store.record(event));
    }
}
