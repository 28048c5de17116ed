package org.cxrscreen.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.testsupport.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end, as {@code cxr up} runs it: a real Kafka broker process, a real PostgreSQL, a starter
 * model trained by {@code cxr train} on real images, and the four services as packaged. Real X-rays
 * are uploaded over HTTP and their diagnoses read back from the results API.
 */
class StackIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path WORK = Path.of("target", "it-stack").toAbsolutePath();

    private static Stack stack;
    private static StackOptions options;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        deleteTree(WORK);
        options = new StackOptions(Path.of(System.getProperty("cxr.home", "..")).toAbsolutePath().normalize(), WORK,
                Optional.of(SharedData.cxr()), Optional.empty(), 1, 30, Optional.empty(), "postgres", "postgres",
                new StackOptions.Ports(free(), free(), free(), free(), free(), free(), free()));
        stack = Stack.start(options, new PrintStream(LOG, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
            StackOptions.Ports p = options.ports();
            for (int port : new int[] {p.kafka(), p.kafkaController(), p.postgres(), p.ingest(), p.inference(),
                    p.results(), p.training()}) {
                assertThat(bound(port)).as("port %d still bound after stop", port).isFalse();
            }
        }
    }

    @Test
    void realImagesUploadedOverHttpAreDiagnosedAndStored() throws Exception {
        String version = EventCodec.mapper().readTree(stack.model().resolve("model.json").toFile()).get("version")
                .asText();
        Map<String, ScreeningClass> uploaded = new LinkedHashMap<>();
        for (ScreeningClass c : ScreeningClass.values()) {
            for (Path file : SharedData.images(c, 2)) {
                JsonNode accepted = upload(SharedData.read(file));
                assertThat(accepted.get("status").asText()).isEqualTo("accepted");
                uploaded.put(accepted.get("imageId").asText(), c);
            }
        }

        for (String imageId : uploaded.keySet()) {
            JsonNode result = awaitResult(imageId);
            JsonNode latest = result.get("latest");
            assertThat(latest.get("modelVersion").asText()).isEqualTo(version);
            assertThat(latest.get("label").asText()).isIn("COVID19", "NORMAL", "PNEUMONIA");
            double sum = 0;
            for (ScreeningClass c : ScreeningClass.values()) {
                sum += latest.get("probabilities").get(c.name()).asDouble();
            }
            assertThat(sum).isBetween(0.999, 1.001);
            assertThat(result.get("image").get("originalFormat").asText()).isEqualTo("JPEG");
            assertThat(result.get("image").get("originalWidth").asInt()).isEqualTo(224);
        }
        assertThat(LOG.toString(StandardCharsets.UTF_8)).contains("training a starter model", "epoch 1/1",
                "results-service is ready");
    }

    @Test
    void theSameImageUploadedTwiceIsDiagnosedOnce() throws Exception {
        byte[] jpeg = SharedData.read(SharedData.images(ScreeningClass.PNEUMONIA, 5).get(4));
        String first = upload(jpeg).get("imageId").asText();
        awaitResult(first);

        String second = upload(jpeg).get("imageId").asText();
        assertThat(second).isEqualTo(first);
        awaitConsumed("inference-service", Topics.IMAGES);
        awaitConsumed("results-service", Topics.PREDICTIONS);

        JsonNode result = get("/api/v1/results/" + first, options.ports().results());
        assertThat(result.get("predictions")).hasSize(1);
    }

    @Test
    void refusedInputGetsAJsonErrorThroughTheStack() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + options.ports().ingest() + "/api/v1/images"))
                .header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofString("not an x-ray")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(EventCodec.mapper().readTree(response.body()).get("error").asText()).isEqualTo("unsupported_format");
    }

    private static JsonNode upload(byte[] jpeg) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + options.ports().ingest() + "/api/v1/images"))
                .header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return EventCodec.mapper().readTree(response.body());
    }

    private static JsonNode awaitResult(String imageId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                    + options.ports().results() + "/api/v1/results/" + imageId)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                JsonNode result = EventCodec.mapper().readTree(response.body());
                if (result.hasNonNull("latest") && result.hasNonNull("image")) {
                    return result;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no result for " + imageId + " within 60 s");
    }

    private static JsonNode get(String path, int port) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventCodec.mapper().readTree(response.body());
    }

    /** Waits until a consumer group has committed every record of a topic. */
    private static void awaitConsumed(String group, String topic) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + options.ports().kafka());
        try (Admin admin = Admin.create(props)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                        .size();
                Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                for (int p = 0; p < partitions; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
                var ends = admin.listOffsets(latest).all().get();
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                boolean done = ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                        || (committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue().offset()));
                if (done) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError(group + " did not consume all of " + topic + " within 60 s");
    }

    private static int free() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean bound(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
