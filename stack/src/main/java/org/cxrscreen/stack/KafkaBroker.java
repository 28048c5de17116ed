package org.cxrscreen.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.cxrscreen.contracts.Topics;

/**
 * A real Kafka broker in KRaft mode, run from the Apache Kafka jars as its own process: one combined
 * broker and controller on 127.0.0.1, storage formatted on first start and kept in the work folder,
 * and the system's topics created at the sizes inline images need.
 */
final class KafkaBroker implements AutoCloseable {

    /** Partitions of the event topics: the most consumers of one group that can share the work. */
    static final int PARTITIONS = 3;

    private final ManagedProcess process;
    private final String bootstrap;

    private KafkaBroker(ManagedProcess process, String bootstrap) {
        this.process = process;
        this.bootstrap = bootstrap;
    }

    static KafkaBroker start(Path dir, Path logs, int port, int controllerPort, String classpath) {
        Path config = dir.resolve("server.properties");
        Path data = dir.resolve("data");
        writeConfig(config, data, port, controllerPort);
        if (!Files.exists(data.resolve("meta.properties"))) {
            format(config, classpath, logs.resolve("kafka-format.log"));
        }
        ManagedProcess process = ManagedProcess.start("kafka", List.of(ManagedProcess.java(), "-Xms256m", "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp", classpath, "kafka.Kafka", config.toString()), Map.of(), logs.resolve("kafka.log"));
        KafkaBroker broker = new KafkaBroker(process, "127.0.0.1:" + port);
        broker.awaitReady();
        broker.createTopics();
        return broker;
    }

    String bootstrapServers() {
        return bootstrap;
    }

    private static void writeConfig(Path config, Path data, int port, int controllerPort) {
        List<String> lines = List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + data.toAbsolutePath(),
                "num.partitions=" + PARTITIONS,
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "message.max.bytes=" + Topics.MAX_RECORD_BYTES,
                "replica.fetch.max.bytes=" + Topics.MAX_RECORD_BYTES);
        try {
            Files.createDirectories(data);
            Files.write(config, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
    }

    private static void format(Path config, String classpath, Path log) {
        ManagedProcess format = ManagedProcess.start("kafka-storage-format", List.of(ManagedProcess.java(), "-cp",
                classpath, "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
                config.toString()), Map.of(), log);
        try {
            int status = format.waitFor();
            if (status != 0) {
                throw new IllegalStateException("formatting Kafka's storage failed (" + status + "):\n" + format.tail(20));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            format.close();
            throw new IllegalStateException("interrupted while formatting Kafka's storage", e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException("Kafka stopped while starting:\n" + process.tail(30));
            }
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka", e);
            }
        }
        throw new IllegalStateException("Kafka did not become ready in 90 s:\n" + process.tail(30));
    }

    private void createTopics() {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : Topics.all()) {
                if (!existing.contains(topic)) {
                    int partitions = topic.equals(Topics.MODELS) || topic.endsWith(".dlq") ? 1 : PARTITIONS;
                    missing.add(new NewTopic(topic, partitions, (short) 1)
                            .configs(Map.of("max.message.bytes", String.valueOf(Topics.MAX_RECORD_BYTES))));
                }
            }
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the topics: " + e.getMessage(), e);
        }
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        return Admin.create(props);
    }

    ManagedProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
