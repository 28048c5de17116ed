package org.cxrscreen.training;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.LabelAssigned;
import org.cxrscreen.contracts.ModelPublished;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.model.ModelArchive;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.testsupport.JwtResource;
import org.cxrscreen.testsupport.KafkaResource;
import org.cxrscreen.testsupport.KafkaTestBroker;
import org.cxrscreen.testsupport.PostgresResource;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The training service on a real Kafka broker and a real PostgreSQL, without training (the whole loop,
 * with training and the inference workers, is {@code StackIT}'s): the bootstrap model registered,
 * promoted and published; the registry API; a rollback by an admin only; labels and images consumed
 * with their provenance, a redelivery changing nothing, a bad record dead-lettered; a labelled folder
 * imported as base set, split by patient.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "training"))
@QuarkusTestResource(JwtResource.class)
@QuarkusTestResource(RegistryModels.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LearningLoopApiTest {

    private final TopicClient topic = new TopicClient(KafkaTestBroker.bootstrapServers());

    private static String admin() {
        return JwtResource.token("ada", "admin");
    }

    private List<ModelPublished> published(int atLeast) {
        List<ConsumerRecord<String, byte[]>> records = topic.readUntil(Topics.MODELS, r -> r.size() >= atLeast,
                Duration.ofSeconds(30));
        records.forEach(r -> assertThat(r.key()).isEqualTo("cxr-classifier"));
        return records.stream().map(r -> EventCodec.decode(r.value(), ModelPublished.class)).toList();
    }

    @Test
    @Order(1)
    void theBootstrapModelIsRegisteredPromotedAndPublished() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/api/v1/models/serving").statusCode() == 200);
        given().when().get("/api/v1/models/serving")
                .then().statusCode(200)
                .body("model.version", equalTo(RegistryModels.GIVEN))
                .body("model.serving", equalTo(true))
                .body("promotion.reason", equalTo("BOOTSTRAP"))
                .body("promotion.promotedBy", equalTo("bootstrap"));
        assertThat(RegistryModels.REGISTRY.resolve(RegistryModels.GIVEN).resolve(ModelDirectory.CARD)).exists();

        ModelPublished event = published(1).get(0);
        assertThat(event.version()).isEqualTo(RegistryModels.GIVEN);
        assertThat(event.artifactUrl()).endsWith("/api/v1/models/" + RegistryModels.GIVEN + "/artifact");
        byte[] archive = given().get("/api/v1/models/" + RegistryModels.GIVEN + "/artifact")
                .then().statusCode(200).contentType("application/zip")
                .header("X-Model-SHA256", event.sha256()).extract().asByteArray();
        Path unpacked = Files.createTempDirectory("artifact");
        ModelArchive.extract(new java.io.ByteArrayInputStream(archive), unpacked, 1 << 30);
        assertThat(ModelDirectory.read(unpacked).version()).isEqualTo(RegistryModels.GIVEN);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(unpacked.resolve(ModelDirectory.ONNX))))).isEqualTo(event.sha256());
    }

    @Test
    @Order(2)
    void theListShowsEveryVersionAndWhichServes() {
        given().when().get("/api/v1/models")
                .then().statusCode(200)
                .body("version", hasItem(RegistryModels.EARLIER))
                .body("find { it.version == '" + RegistryModels.GIVEN + "' }.serving", equalTo(true))
                .body("find { it.version == '" + RegistryModels.EARLIER + "' }.serving", equalTo(false))
                .body("find { it.version == '" + RegistryModels.EARLIER + "' }.everPromoted", equalTo(false));
        given().when().get("/api/v1/models/no-such-version/artifact")
                .then().statusCode(404)
                .body("error", equalTo("model_not_found"));
    }

    @Test
    @Order(3)
    void onlyAnAdminPromotesAnotherVersionAndThePromotionIsPublishedInOrder() {
        String path = "/api/v1/models/" + RegistryModels.EARLIER + "/promote";
        given().when().post(path).then().statusCode(401);
        given().auth().oauth2(JwtResource.token("rita", "radiologist")).when().post(path).then().statusCode(403);
        given().auth().oauth2(admin()).when().post("/api/v1/models/nope/promote")
                .then().statusCode(404).body("error", equalTo("model_not_found"));

        given().auth().oauth2(admin()).when().post(path)
                .then().statusCode(200)
                .body("version", equalTo(RegistryModels.EARLIER))
                .body("reason", equalTo("ROLLBACK"))
                .body("promotedBy", equalTo("ada"));
        List<ModelPublished> events = published(2);
        assertThat(events).extracting(ModelPublished::version)
                .containsExactly(RegistryModels.GIVEN, RegistryModels.EARLIER);
        given().when().get("/api/v1/models/serving").then().body("model.version", equalTo(RegistryModels.EARLIER));
        given().auth().oauth2(admin()).when().post(path)
                .then().statusCode(409).body("error", equalTo("already_serving"));
        given().when().get("/api/v1/models/promotions")
                .then().statusCode(200)
                .body("version", equalTo(List.of(RegistryModels.EARLIER, RegistryModels.GIVEN)));
    }

    @Test
    @Order(4)
    void labelsAndTheirImagesAreKeptWithProvenanceAndARedeliveryChangesNothing() throws Exception {
        String id = "img-" + UUID.randomUUID().toString().replace("-", "");
        byte[] png = png();
        Instant now = Instant.now();
        topic.send(Topics.IMAGES, id, new ImageReceived(UUID.randomUUID(), now, 1, id, "http-upload", "study-9", null,
                "DX", "PA", "PNG", 64, 64, 64, 64, now, png));
        LabelAssigned first = new LabelAssigned(UUID.randomUUID(), now, 1, id, ScreeningClass.PNEUMONIA, "rita",
                now, LabelAssigned.Reason.CORRECT, "v7", ScreeningClass.NORMAL, "consolidation right lower lobe");
        topic.send(Topics.LABELS, id, first);
        topic.send(Topics.LABELS, id, first);
        topic.send(Topics.LABELS, id, "{not json".getBytes());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/dataset")
                .then().body("reviewed.PNEUMONIA", equalTo(1)).body("reviewedAwaitingImage", equalTo(0)));
        long seq = given().get("/api/v1/dataset").then().extract().jsonPath().getLong("lastLabelSeq");
        assertThat(RegistryModels.IMAGES.resolve(id.substring(0, 2)).resolve(id + ".png")).hasBinaryContent(png);

        // a second reader's later label replaces it and counts as new; the first stays in the provenance
        LabelAssigned second = new LabelAssigned(UUID.randomUUID(), now, 1, id, ScreeningClass.COVID19, "omar",
                now.plusSeconds(60), LabelAssigned.Reason.CORRECT, "v7", ScreeningClass.NORMAL, null);
        topic.send(Topics.LABELS, id, second);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/dataset")
                .then().body("reviewed.COVID19", equalTo(1)).body("reviewed.PNEUMONIA", equalTo(0))
                .body("labelEvents", equalTo(2)));
        assertThat(given().get("/api/v1/dataset").then().extract().jsonPath().getLong("lastLabelSeq")).isGreaterThan(seq);

        var dead = topic.readUntil(Topics.deadLetter(Topics.LABELS), r -> !r.isEmpty(), Duration.ofSeconds(30));
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).value())).isEqualTo("{not json");
        assertThat(TopicClient.header(dead.get(0), "dead-letter-reason")).isNotBlank();
    }

    @Test
    @Order(5)
    void aLabelledFolderIsImportedAsBaseSetSplitByPatientOnce() {
        given().contentType(ContentType.JSON).body("{\"folder\": \"" + SharedData.cxr() + "\"}")
                .when().post("/api/v1/dataset/import").then().statusCode(401);
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body("{\"folder\": \"/no/such/folder\"}")
                .when().post("/api/v1/dataset/import")
                .then().statusCode(400).body("error", equalTo("bad_import"));

        String body = "{\"folder\": \"" + SharedData.cxr() + "\", \"limitPerClass\": 20}";
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/dataset/import")
                .then().statusCode(200)
                .body("imported", equalTo(60))
                .body("alreadyThere", equalTo(0));
        var summary = given().get("/api/v1/dataset").then().extract().jsonPath();
        int test = 0;
        int all = 0;
        for (String part : List.of("TRAIN", "VALIDATION", "TEST")) {
            for (ScreeningClass c : ScreeningClass.values()) {
                int n = summary.getInt("base." + part + "." + c.name());
                all += n;
                test += part.equals("TEST") ? n : 0;
            }
        }
        assertThat(all).isEqualTo(60);
        assertThat(test).isPositive();
        assertThat(summary.getInt("base.TEST.COVID19")).isPositive();

        given().auth().oauth2(admin()).contentType(ContentType.JSON).body(body)
                .when().post("/api/v1/dataset/import")
                .then().statusCode(200).body("imported", equalTo(0)).body("alreadyThere", equalTo(60));
    }

    @Test
    @Order(6)
    void aRunWithOptionsOutOfRangeIsRefusedWithWhatIsAccepted() {
        given().contentType(ContentType.JSON).body("{}").when().post("/api/v1/runs").then().statusCode(401);
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body("{\"epochs\": 0}")
                .when().post("/api/v1/runs")
                .then().statusCode(400)
                .body("error", equalTo("bad_options"))
                .body("message", org.hamcrest.Matchers.containsString("accepted: epochs"));
        given().auth().oauth2(admin()).contentType(ContentType.JSON).body("{\"loss\": \"hinge\"}")
                .when().post("/api/v1/runs")
                .then().statusCode(400).body("error", equalTo("bad_options"));
        given().when().get("/api/v1/runs").then().statusCode(200).body("size()", equalTo(0));
    }

    private static byte[] png() throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                image.getRaster().setSample(x, y, 0, (x * 4 + y) & 0xff);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
