package org.cxrscreen.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.model.FileTrees;
import org.cxrscreen.model.TestModels;
import org.cxrscreen.testsupport.DevTokens;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inference workers as packaged, in one consumer group, against a real broker process and the results
 * service on a real PostgreSQL: images stream in while one worker is killed outright (SIGKILL) and a new
 * one joins, then while another is stopped gracefully (SIGTERM). The test counts every image: each has
 * exactly one stored prediction per model version, and a graceful stop puts no second prediction on the
 * topic.
 */
class InferenceWorkersIT {

    private static final Path WORK = Path.of("target", "it-workers").toAbsolutePath();
    private static final Path HOME = Path.of(System.getProperty("cxr.home", "..")).toAbsolutePath().normalize();
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static final PrintStream OUT = new PrintStream(LOG, true, StandardCharsets.UTF_8);

    private static final List<AutoCloseable> started = new ArrayList<>();
    private static KafkaBroker kafka;
    private static String resultsDb;
    private static Database database;
    private static final Map<String, ManagedProcess> workers = new HashMap<>();
    /** Real X-rays as canonical PNGs, four per class, sent in turn. */
    private static final List<InferenceBench.Canonical> PNGS = InferenceBench.canonicalImages(12);

    @BeforeAll
    static void start() throws IOException {
        FileTrees.delete(WORK);
        Path logs = WORK.resolve("logs");
        database = Database.start(WORK.resolve("postgres"), Stack.freePort(), Optional.empty(), "postgres", "postgres");
        started.add(database);
        resultsDb = database.database("results");
        kafka = KafkaBroker.start(WORK.resolve("kafka"), logs, Stack.freePort(), Stack.freePort(), HOME.resolve("stack/target/lib") + "/*");
        started.add(kafka);
        TestModels.writeAveraging(WORK.resolve("model"));
        DevTokens tokens = DevTokens.in(WORK.resolve("jwt"));
        int port = Stack.freePort();
        ManagedProcess results = service("results-service", port, Map.of(
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", tokens.publicKey().toUri().toString(),
                "QUARKUS_DATASOURCE_JDBC_URL", resultsDb,
                "QUARKUS_DATASOURCE_USERNAME", database.user(),
                "QUARKUS_DATASOURCE_PASSWORD", database.password()));
        Stack.awaitReady(results, port, OUT);
    }

    @AfterAll
    static void stop() {
        workers.values().forEach(ManagedProcess::close);
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                OUT.println("stopping failed: " + e.getMessage());
            }
        }
    }

    @Test
    void killedAndStoppedWorkersLoseNoImageAndStoreNoSecondDiagnosis() throws Exception {
        startWorker("a");
        startWorker("b");

        // 1. SIGKILL in the middle of a stream; a new worker joins
        List<String> first = stream("kill", 300, 50, sent -> {
            if (sent == 100) {
                kill("a");
            }
            if (sent == 150) {
                startWorker("c");
            }
            return true;
        });
        Map<String, Integer> stored = awaitStored(first, Duration.ofSeconds(120));
        assertThat(stored).as("every image stored exactly once").hasSize(first.size())
                .allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
        List<PredictionMade> published = predictionsOnTopic("kill-");
        Map<String, Long> onTopic = countByImage(published);
        assertThat(onTopic.keySet()).containsExactlyInAnyOrderElementsOf(first);
        long redelivered = onTopic.values().stream().mapToLong(n -> n - 1).sum();
        System.out.println("after SIGKILL: " + redelivered + " image(s) predicted twice on the topic, stored once");
        assertThat(published).extracting(PredictionMade::worker)
                .as("the killed worker predicted before, the new one after").contains("a", "c");

        // 2. SIGTERM in the middle of a stream: the worker publishes and commits what it holds first
        List<String> second = stream("term", 300, 50, sent -> {
            if (sent == 100) {
                workers.remove("b").close();
            }
            return true;
        });
        stored = awaitStored(second, Duration.ofSeconds(120));
        assertThat(stored).hasSize(second.size()).allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
        onTopic = countByImage(predictionsOnTopic("term-"));
        assertThat(onTopic.keySet()).containsExactlyInAnyOrderElementsOf(second);
        assertThat(onTopic).as("a graceful stop makes no second prediction")
                .allSatisfy((id, count) -> assertThat(count).isEqualTo(1L));
        assertThat(workers.get("c").tail(400)).contains("partitions assigned");
        assertThat(Files.readString(WORK.resolve("logs/inference-b.log"))).contains("images pipeline stopped (0 images still in flight)");
    }

    private static void startWorker(String name) {
        int port = Stack.freePort();
        ManagedProcess worker = service("inference-" + name, "inference-service", port, Map.of(
                "INFERENCE_MODEL_PATH", WORK.resolve("model").toString(),
                "INFERENCE_WORKER_ID", name,
                "INFERENCE_CONSUMER_SESSION_TIMEOUT", "6s",
                "INFERENCE_MODEL_CACHE", WORK.resolve("cache-" + name).toString()));
        workers.put(name, worker);
        Stack.awaitReady(worker, port, OUT);
    }

    private static void kill(String name) {
        try {
            workers.remove(name).kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ManagedProcess service(String module, int port, Map<String, String> env) {
        return service(module, module, port, env);
    }

    private static ManagedProcess service(String name, String module, int port, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        all.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        all.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        ManagedProcess process = ManagedProcess.start(name, List.of(ManagedProcess.java(), "-Xmx384m", "-jar",
                HOME.resolve(module).resolve("target/quarkus-app/quarkus-run.jar").toString()), all,
                WORK.resolve("logs").resolve(name + ".log"));
        if (!module.equals("inference-service")) {
            started.add(process);
        }
        return process;
    }

    /**
     * Sends {@code count} real images at {@code perSecond}, calling {@code step} after each with the
     * number sent; returns their ids.
     */
    private static List<String> stream(String prefix, int count, int perSecond, IntPredicate step) throws Exception {
        List<String> ids = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = InferenceBench.producer(kafka.bootstrapServers())) {
            long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
            long next = System.nanoTime();
            for (int i = 0; i < count; i++) {
                String id = prefix + "-" + i;
                InferenceBench.Canonical png = PNGS.get(i % PNGS.size());
                ImageReceived image = ImageReceived.of(id, "test", "PNG", png.width(), png.height(), png.width(),
                        png.height(), Instant.now(), png.png());
                producer.send(new ProducerRecord<>(Topics.IMAGES, id, EventCodec.encode(image))).get();
                ids.add(id);
                step.test(i + 1);
                next += interval;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
        }
        return ids;
    }

    /** Stored predictions per image id, once every id has one or the time is up. */
    private static Map<String, Integer> awaitStored(List<String> ids, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String prefix = ids.get(0).substring(0, ids.get(0).indexOf('-') + 1);
        Map<String, Integer> counts = Map.of();
        while (System.nanoTime() < deadline) {
            counts = storedPredictions(prefix);
            if (counts.keySet().containsAll(ids)) {
                return counts;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        return counts;
    }

    private static Map<String, Integer> storedPredictions(String prefix) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(resultsDb, database.user(), database.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select image_id, count(*) from predictions where image_id like '"
                        + prefix + "%' and model_version = '" + TestModels.VERSION + "' group by image_id")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        } catch (SQLException e) {
            if (e.getMessage().contains("does not exist")) {
                return counts; // the results service has not migrated yet
            }
            throw e;
        }
        return counts;
    }

    /** Every prediction on the topic for images whose id starts with {@code prefix}. */
    private static List<PredictionMade> predictionsOnTopic(String prefix) {
        return new TopicClient(kafka.bootstrapServers()).readUntil(Topics.PREDICTIONS, r -> false, Duration.ofSeconds(5))
                .stream().filter(r -> r.key().startsWith(prefix))
                .map(r -> EventCodec.decode(r.value(), PredictionMade.class))
                .toList();
    }

    private static Map<String, Long> countByImage(List<PredictionMade> predictions) {
        return predictions.stream().collect(Collectors.groupingBy(PredictionMade::imageId, Collectors.counting()));
    }
}
