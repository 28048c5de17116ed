package org.cxrscreen.inference.pipeline;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.cxrscreen.contracts.KafkaProducers;
import org.cxrscreen.contracts.Topics;

/** Settings of the worker's own Kafka clients. */
public final class KafkaClients {

    private KafkaClients() {
    }

    /**
     * A consumer that commits by hand, reads large inline images, and rebalances cooperatively, so a
     * worker joining or leaving moves only the partitions that must move.
     */
    public static Properties consumer(String bootstrapServers, String groupId, String clientId, int maxPollRecords,
            java.time.Duration sessionTimeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (groupId != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 5 * Topics.MAX_RECORD_BYTES);
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, sessionTimeout.toMillis() / 4));
        return props;
    }

    /** An idempotent producer that waits for every in-sync replica, sized for a dead-lettered image. */
    public static Properties producer(String bootstrapServers, String clientId) {
        Properties props = KafkaProducers.idempotent(bootstrapServers, clientId);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES + 64 * 1024);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        return props;
    }
}
