package org.cxrscreen.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.ModelPublished;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.model.ModelArchive;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.TestModels;
import org.cxrscreen.testsupport.KafkaTestBroker;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The model lifecycle against a real broker: versions published on {@code models.published} are
 * downloaded from an HTTP server as archives, verified, and swapped in while images stream through;
 * a version whose SHA-256 does not match is refused and the served model stays. It asks for TensorRT,
 * which this CPU build of ONNX Runtime lacks, so every version it serves got there through the fallback
 * chain (TensorRT, CUDA, then the CPU it reports); with the fallback off, nothing would be served.
 */
@QuarkusTest
@TestProfile(ModelSwapTest.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelSwapTest {

    static final String NAME = "swap-test";
    private static final float[] BIAS_2 = {-0.6f, 0.4f, 0.3f};
    private static final float[] BIAS_3 = {0.5f, 0.5f, -0.5f};

    /** Its own model name, cache and consumer group, so the other test class's state does not leak in. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inference.model-name", NAME,
                    "inference.model-cache", Path.of("target", "swap-cache").toAbsolutePath().toString(),
                    "inference.consumer.group-id", "swap-test-" + UUID.randomUUID(),
                    "inference.batch.max-size", "4",
                    // no GPU provider in this build: TensorRT and CUDA fail to register and it falls back to the CPU
                    "inference.device", "tensorrt");
        }
    }

    private static HttpServer artifacts;
    private static final Path MODELS = Path.of("target", "swap-models").toAbsolutePath();
    private final TopicClient topic = new TopicClient(KafkaTestBroker.bootstrapServers());
    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);

    @BeforeAll
    static void serveArtifacts() throws IOException {
        artifacts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        artifacts.createContext("/models/", exchange -> {
            String version = exchange.getRequestURI().getPath().substring("/models/".length()).replace(".zip", "");
            Path dir = MODELS.resolve(version);
            if (!Files.isDirectory(dir)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", ModelArchive.MEDIA_TYPE);
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                if (version.endsWith("-tampered")) {
                    writeTampered(dir, out);
                } else {
                    ModelArchive.write(dir, out);
                }
            }
        });
        artifacts.start();
    }

    @AfterAll
    static void stopArtifacts() {
        artifacts.stop(0);
    }

    @Test
    @Order(1)
    void aVersionPublishedUnderLoadIsSwappedInWithoutAnErrorAndEveryImageIsPredictedOnce() throws Exception {
        ModelCard second = TestModels.writeAveraging(MODELS.resolve("swap-2"), NAME, "swap-2", BIAS_2);
        List<GrayImage> images = realImages();
        String prefix = "swap-" + UUID.randomUUID() + "-";
        Map<String, GrayImage> sent = new HashMap<>();
        int total = 150;
        List<String> afterSwap = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            String id = prefix + i;
            GrayImage image = images.get(i % images.size());
            sent.put(id, image);
            topic.send(Topics.IMAGES, id, image(id, image));
            if (i == 50) {
                topic.send(Topics.MODELS, NAME, published(second, "swap-2"));
            }
            if (i == 120) {
                awaitServed("swap-2");
            }
            if (i > 120) {
                afterSwap.add(id);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }

        List<ConsumerRecord<String, byte[]>> records = topic.readUntil(Topics.PREDICTIONS,
                r -> r.stream().filter(x -> x.key().startsWith(prefix)).map(ConsumerRecord::key).distinct().count()
                        >= total, Duration.ofSeconds(60));
        Map<String, List<PredictionMade>> byImage = records.stream().filter(r -> r.key().startsWith(prefix))
                .map(r -> EventCodec.decode(r.value(), PredictionMade.class))
                .collect(Collectors.groupingBy(PredictionMade::imageId));
        assertThat(byImage).as("one prediction per image").hasSize(total)
                .allSatisfy((id, predictions) -> assertThat(predictions).hasSize(1));
        Map<String, Long> versions = byImage.values().stream().map(p -> p.get(0).modelVersion())
                .collect(Collectors.groupingBy(v -> v, Collectors.counting()));
        assertThat(versions.keySet()).containsExactlyInAnyOrder(TestModels.VERSION, "swap-2");
        for (String id : afterSwap) {
            assertThat(byImage.get(id).get(0).modelVersion()).as("after the swap: %s", id).isEqualTo("swap-2");
        }
        // each prediction is the output of the network its version names
        byImage.forEach((id, predictions) -> {
            PredictionMade p = predictions.get(0);
            float[] expected = p.modelVersion().equals("swap-2")
                    ? TestModels.expectedAveraging(sent.get(id), BIAS_2) : TestModels.expectedAveraging(sent.get(id));
            assertThat(p.probabilities().get(ScreeningClass.COVID19)).isCloseTo(expected[0], within(1e-5));
            assertThat(p.probabilities().get(ScreeningClass.PNEUMONIA)).isCloseTo(expected[2], within(1e-5));
        });
        assertThat(topic.readUntil(Topics.deadLetter(Topics.IMAGES), r -> false, Duration.ofSeconds(2)))
                .noneMatch(r -> r.key() != null && r.key().startsWith(prefix));
        given().get("/api/v1/model/history").then().statusCode(200)
                .body("find { it.version == 'swap-2' }.outcome", org.hamcrest.Matchers.equalTo("served"))
                .body("find { it.version == 'swap-2' }.detail", org.hamcrest.Matchers.endsWith("on cpu"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'model' }.data.device", org.hamcrest.Matchers.equalTo("cpu"))
                .body("checks.find { it.name == 'model' }.data.version", org.hamcrest.Matchers.equalTo("swap-2"));
    }

    @Test
    @Order(2)
    void aTamperedVersionIsRefusedWithItsReasonAndTheServedModelStays() throws Exception {
        ModelCard third = TestModels.writeAveraging(MODELS.resolve("swap-3"), NAME, "swap-3", BIAS_3);
        Files.createDirectories(MODELS.resolve("swap-3-tampered"));
        for (String file : List.of(ModelDirectory.CARD, ModelDirectory.ONNX)) {
            Files.copy(MODELS.resolve("swap-3").resolve(file), MODELS.resolve("swap-3-tampered").resolve(file),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String before = given().get("/api/v1/model").then().statusCode(200).extract().path("version");

        // the event's checksum is not the artifact's
        ModelPublished wrongSum = new ModelPublished(UUID.randomUUID(), Instant.now(), 1, NAME, "swap-3",
                "averaging", third.classes(), Map.of(), "0".repeat(64), url("swap-3"));
        topic.send(Topics.MODELS, NAME, wrongSum);
        // the artifact's ONNX file was changed after its card was written
        topic.send(Topics.MODELS, NAME, published(third, "swap-3-tampered"));

        awaitRefusals(2);
        List<Map<String, Object>> refused = given().get("/api/v1/model/history").then().extract()
                .jsonPath().getList("findAll { it.outcome == 'refused' }");
        assertThat(refused).extracting(r -> (String) r.get("detail"))
                .anySatisfy(d -> assertThat(d).contains("models.published says " + "0".repeat(64)))
                .anySatisfy(d -> assertThat(d).contains("SHA-256").contains("but the card says " + third.sha256()));
        given().get("/api/v1/model").then().statusCode(200).body("version", org.hamcrest.Matchers.equalTo(before));

        String id = "after-refusal-" + UUID.randomUUID();
        topic.send(Topics.IMAGES, id, image(id, realImages().get(0)));
        PredictionMade p = EventCodec.decode(topic.readKey(Topics.PREDICTIONS, id, 1, Duration.ofSeconds(30)).get(0)
                .value(), PredictionMade.class);
        assertThat(p.modelVersion()).isEqualTo(before);
    }

    private void awaitServed(String version) throws InterruptedException {
        await(version + " served", () -> version.equals(given().get("/api/v1/model").then().extract().path("version")));
    }

    private void awaitRefusals(int count) throws InterruptedException {
        await(count + " refusals reported", () -> given().get("/api/v1/model/history").then().extract().jsonPath()
                .getList("findAll { it.outcome == 'refused' }").size() >= count);
    }

    private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 30 s");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private static ModelPublished published(ModelCard card, String artifact) {
        return new ModelPublished(UUID.randomUUID(), Instant.now(), 1, NAME, card.version(), card.architecture(),
                card.classes(), Map.of(), card.sha256(), url(artifact));
    }

    private static String url(String artifact) {
        return "http://127.0.0.1:" + artifacts.getAddress().getPort() + "/models/" + artifact + ".zip";
    }

    /** The archive with one byte of the ONNX file's weights changed: the card no longer matches it. */
    private static void writeTampered(Path dir, OutputStream out) throws IOException {
        Path copy = Files.createTempDirectory("tampered");
        Files.copy(dir.resolve(ModelDirectory.CARD), copy.resolve(ModelDirectory.CARD));
        byte[] onnx = Files.readAllBytes(dir.resolve(ModelDirectory.ONNX));
        onnx[onnx.length - 5] ^= 0x01;
        Files.write(copy.resolve(ModelDirectory.ONNX), onnx);
        try (var zip = new java.util.zip.ZipOutputStream(out)) {
            for (String name : List.of(ModelDirectory.CARD, ModelDirectory.ONNX)) {
                zip.putNextEntry(new java.util.zip.ZipEntry(name));
                Files.copy(copy.resolve(name), zip);
                zip.closeEntry();
            }
        }
    }

    private List<GrayImage> realImages() {
        List<GrayImage> images = new ArrayList<>();
        for (ScreeningClass c : ScreeningClass.values()) {
            for (Path file : SharedData.images(c, 2)) {
                images.add(CanonicalImages.fromEncoded(SharedData.read(file), decoder));
            }
        }
        return images;
    }

    private static ImageReceived image(String id, GrayImage canonical) {
        return ImageReceived.of(id, "test", "JPEG", canonical.width(), canonical.height(), canonical.width(),
                canonical.height(), Instant.now(), CanonicalImages.encodePng(canonical));
    }
}
