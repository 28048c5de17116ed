package org.cxrscreen.results.review;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cxrscreen.contracts.KafkaProducers;
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

    private final String bootstrapServers;
    private volatile KafkaProducer<String, byte[]> producer;

    public OutboxRelay(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
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
            try {
                producer().send(new ProducerRecord<>(entry.topic, entry.recordKey, entry.payload))
                        .get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warnf("outbox: %s not published yet (%s); it stays queued", entry.id,
                        e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                break;
            }
            entry.sentAt = Instant.now();
            sent++;
        }
        return sent;
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(KafkaProducers.reliable(bootstrapServers, "results-outbox"),
                            new StringSerializer(), new ByteArraySerializer());
                }
            }
        }
        return producer;
    }

    void stop(@Observes ShutdownEvent event) {
        close();
    }

    /** Closes the producer. */
    public void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }
}
