package org.cxrscreen.contracts;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The producer settings every service publishes events with. */
public final class KafkaProducers {

    private KafkaProducers() {
    }

    /**
     * An idempotent producer that waits for every in-sync replica ({@code acks=all}) and gives up on a
     * send after about 10 s (5 s to find the broker, 10 s to deliver), so a caller that keeps the event
     * (an outbox) can try again later.
     */
    public static Properties reliable(String bootstrapServers, String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10000);
        return props;
    }
}
