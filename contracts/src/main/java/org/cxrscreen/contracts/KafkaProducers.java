package org.cxrscreen.contracts;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The producer settings every service publishes events with; each adds its own sizes and timeouts. */
public final class KafkaProducers {

    private KafkaProducers() {
    }

    /** An idempotent producer that waits for every in-sync replica ({@code acks=all}). */
    public static Properties idempotent(String bootstrapServers, String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return props;
    }
}
