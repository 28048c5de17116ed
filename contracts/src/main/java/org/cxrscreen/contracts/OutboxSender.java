package org.cxrscreen.contracts;

import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends the records of a transactional outbox one at a time, each acknowledged by Kafka before the
 * next ({@link KafkaProducers#idempotent}), giving up on a send after about 10 s (5 s to find the broker,
 * 10 s to deliver) so that the record stays queued for the next try. The producer is made at the first
 * send, so a service starts while Kafka is down.
 */
public final class OutboxSender implements AutoCloseable {

    private final String bootstrapServers;
    private final String clientId;
    private volatile KafkaProducer<String, byte[]> producer;

    public OutboxSender(String bootstrapServers, String clientId) {
        this.bootstrapServers = bootstrapServers;
        this.clientId = clientId;
    }

    /** Sends a record and waits for its acknowledgement; empty once acknowledged, else why it was not. */
    public Optional<String> send(String topic, String key, byte[] value) {
        try {
            producer().send(new ProducerRecord<>(topic, key, value)).get(15, TimeUnit.SECONDS);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } catch (Exception e) {
            return Optional.of(String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    Properties props = KafkaProducers.idempotent(bootstrapServers, clientId);
                    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
                    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
                    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10000);
                    producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
                }
            }
        }
        return producer;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
