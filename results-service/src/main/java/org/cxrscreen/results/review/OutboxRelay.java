package org.cxrscreen.results.review;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.cxrscreen.contracts.OutboxSender;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox in order: each unsent event is sent (idempotent producer, {@code acks=all}) and
 * marked sent only after Kafka acknowledged it. While Kafka is down the events wait in PostgreSQL and go
 * out when it is back; a crash between the acknowledgement and the mark sends an event again, which its
 * consumers tolerate (labels are keyed by image and reader).
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 100;

    private final OutboxSender sender;

    public OutboxRelay(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.sender = new OutboxSender(bootstrapServers, "results-outbox");
    }

    @Scheduled(every = "${results.review.outbox-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void relay() {
        int sent;
        do {
            sent = relayBatch();
        } while (sent == BATCH);
    }

    /** Sends up to one batch; the number sent. */
    @Transactional
    public int relayBatch() {
        List<OutboxEntry> pending = OutboxEntry.find("sentAt is null", io.quarkus.panache.common.Sort.ascending("id")).page(0, BATCH).list();
        int sent = 0;
        for (OutboxEntry entry : pending) {
            Optional<String> refused = sender.send(entry.topic, entry.recordKey, entry.payload);
            if (refused.isPresent()) {
                LOG.warnf("outbox: %s not published yet (%s); it stays queued", entry.id, refused.get());
                break;
            }
            entry.sentAt = Instant.now();
            sent++;
        }
        return sent;
    }

    void stop(@Observes ShutdownEvent event) {
        close();
    }

    /** Closes the producer. */
    public void close() {
        sender.close();
    }
}
