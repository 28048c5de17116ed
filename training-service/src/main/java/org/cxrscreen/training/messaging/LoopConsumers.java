package org.cxrscreen.training.messaging;

import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.LabelAssigned;
import org.cxrscreen.contracts.Retrying;
import org.cxrscreen.training.dataset.DataSet;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code xray.images.v1} (each image's file, kept until labelled or past retention) and
 * {@code xray.labels.v1} (the labelled data set with provenance). A record that is not a valid event goes
 * at once to its topic's {@code .dlq} with the reason; a failing write is retried with backoff, then
 * dead-lettered.
 */
@ApplicationScoped
public class LoopConsumers {

    private final DataSet dataSet;
    private final Retrying retrying = Retrying.standard();

    public LoopConsumers(DataSet dataSet) {
        this.dataSet = dataSet;
    }

    @Incoming("images")
    @Blocking
    public void onImage(byte[] record) {
        ImageReceived event = EventCodec.decode(record, ImageReceived.class);
        retrying.run("store image " + event.imageId(), () -> dataSet.recordImage(event));
    }

    @Incoming("labels")
    @Blocking
    public void onLabel(byte[] record) {
        LabelAssigned event = EventCodec.decode(record, LabelAssigned.class);
        retrying.run("store label " + event.imageId(), () -> dataSet.recordLabel(event));
    }
}
