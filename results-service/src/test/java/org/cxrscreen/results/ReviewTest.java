package org.cxrscreen.results;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.LabelAssigned;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.results.review.Disagreement;
import org.cxrscreen.testsupport.JwtResource;
import org.cxrscreen.testsupport.KafkaResource;
import org.cxrscreen.testsupport.KafkaTestBroker;
import org.cxrscreen.testsupport.PostgresResource;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.Test;

/**
 * The review workflow with the real Kafka broker and PostgreSQL: predictions in, flags and worklist
 * out; reviews in, labels on the topic and disagreement cases out; claims that race; every endpoint
 * with every role.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "results"))
@QuarkusTestResource(JwtResource.class)
class ReviewTest {

    private final TopicClient topic = new TopicClient(KafkaTestBroker.bootstrapServers());

    @Test
    void predictionsAreFlaggedForTheirReasonsAndTheWorklistPutsPositiveScreensFirst() {
        String version = "v-" + UUID.randomUUID();
        String confident = predict(version, ScreeningClass.NORMAL, 0.02, 0.96, 0.02);
        String unsure = predict(version, ScreeningClass.PNEUMONIA, 0.1, 0.35, 0.55);
        String lessUnsure = predict(version, ScreeningClass.NORMAL, 0.05, 0.7, 0.25);
        String covid = predict(version, ScreeningClass.COVID19, 0.97, 0.02, 0.01);

        await().atMost(Duration.ofSeconds(30)).until(() -> worklist(version).jsonPath().getInt("total") == 3);
        Response list = worklist(version);
        assertThat(list.jsonPath().getList("items.imageId", String.class)).containsExactly(covid, unsure, lessUnsure);
        assertThat(list.jsonPath().getList("items[0].reasons", String.class)).containsExactly("POSITIVE_SCREEN");
        assertThat(list.jsonPath().getList("items[1].reasons", String.class)).containsExactly("LOW_CONFIDENCE");
        assertThat(list.jsonPath().getList("items.imageId", String.class)).doesNotContain(confident);

        as("rita", "radiologist").queryParam("modelVersion", version).queryParam("reason", "positive_screen")
                .get("/api/v1/review/worklist").then().statusCode(200).body("total", equalTo(1))
                .body("items[0].imageId", equalTo(covid));
        as("rita", "radiologist").queryParam("modelVersion", version).queryParam("label", "NORMAL")
                .get("/api/v1/review/worklist").then().statusCode(200).body("total", equalTo(1));
    }

    @Test
    void aLaterVersionThatDisagreesFlagsTheImageAndRedeliveriesChangeNothing() {
        String id = "img-" + UUID.randomUUID();
        PredictionMade first = prediction(id, "v1", ScreeningClass.NORMAL, 0.02, 0.96, 0.02);
        topic.send(Topics.PREDICTIONS, id, first);
        topic.send(Topics.PREDICTIONS, id, first);
        topic.send(Topics.PREDICTIONS, id, prediction(id, "v2", ScreeningClass.PNEUMONIA, 0.02, 0.03, 0.95));
        topic.send(Topics.PREDICTIONS, id, first);
        awaitConsumedUpTo(id);

        as("rita", "radiologist").get("/api/v1/review/cases/" + id).then().statusCode(200)
                .body("item.reasons", org.hamcrest.Matchers.contains("VERSIONS_DISAGREE"))
                .body("item.modelVersion", equalTo("v2"));
        as("rita", "radiologist").get("/api/v1/results/" + id).then().statusCode(200)
                .body("predictions.modelVersion", org.hamcrest.Matchers.containsInAnyOrder("v1", "v2"));
    }

    @Test
    void anOlderVersionArrivingLateKeepsTheCaseOnTheNewerOneAndCountsItsDisagreement() {
        String id = "img-" + UUID.randomUUID();
        topic.send(Topics.PREDICTIONS, id, prediction(id, "v2", ScreeningClass.PNEUMONIA, 0.02, 0.03, 0.95));
        PredictionMade older = prediction(id, "v1", ScreeningClass.NORMAL, 0.02, 0.96, 0.02);
        topic.send(Topics.PREDICTIONS, id, new PredictionMade(older.eventId(), older.occurredAt().minusSeconds(3600),
                1, id, older.modelName(), "v1", older.label(), older.probabilities(), older.worker(),
                older.inferenceMillis(), older.imageReceivedAt()));
        awaitConsumedUpTo(id);

        as("rita", "radiologist").get("/api/v1/review/cases/" + id).then().statusCode(200)
                .body("item.modelVersion", equalTo("v2")).body("item.predictedLabel", equalTo("PNEUMONIA"))
                .body("item.reasons", org.hamcrest.Matchers.contains("VERSIONS_DISAGREE"));
    }

    @Test
    void aReviewThatDisagreesPublishesTheLabelAndRecordsADisagreementCase() throws Exception {
        String version = "v-" + UUID.randomUUID();
        String id = predict(version, ScreeningClass.COVID19, 0.9, 0.05, 0.05);
        awaitCase(id);

        as("rita", "radiologist").post("/api/v1/review/cases/" + id + "/claim").then().statusCode(200)
                .body("claimedBy", equalTo("rita"));
        as("rita", "radiologist").contentType("application/json")
                .body("{\"label\": \"pneumonia\", \"comment\": \"lobar consolidation\"}")
                .post("/api/v1/review/cases/" + id + "/reviews").then().statusCode(201)
                .body("label", equalTo("PNEUMONIA")).body("modelLabel", equalTo("COVID19"));

        List<ConsumerRecord<String, byte[]>> labels = topic.readKey(Topics.LABELS, id, 1, Duration.ofSeconds(30));
        assertThat(labels).hasSize(1);
        LabelAssigned label = EventCodec.decode(labels.get(0).value(), LabelAssigned.class);
        assertThat(label.label()).isEqualTo(ScreeningClass.PNEUMONIA);
        assertThat(label.reviewerId()).isEqualTo("rita");
        assertThat(label.reason()).isEqualTo(LabelAssigned.Reason.CORRECT);
        assertThat(label.modelVersion()).isEqualTo(version);
        assertThat(label.modelLabel()).isEqualTo(ScreeningClass.COVID19);
        List<Disagreement> recorded = QuarkusTransaction.requiringNew().call(() -> Disagreement.list("imageId", id));
        assertThat(recorded).singleElement().satisfies(d -> {
            assertThat(d.modelVersion).isEqualTo(version);
            assertThat(d.modelLabel).isEqualTo("COVID19");
            assertThat(d.reviewerLabel).isEqualTo("PNEUMONIA");
            assertThat(d.covid19).isEqualTo(0.9);
        });

        Response agreement = as("ada", "admin").get("/api/v1/review/disagreements");
        agreement.then().statusCode(200);
        Map<String, Object> mine = agreement.jsonPath().getMap("find { it.modelVersion == '" + version + "' }");
        assertThat(mine).containsEntry("reviews", 1).containsEntry("disagreements", 1);
        assertThat(agreement.jsonPath().getInt("find { it.modelVersion == '" + version
                + "' }.confusion.COVID19.PNEUMONIA")).isEqualTo(1);
        // reviewed: off the worklist; reviewed once per reader
        assertThat(worklist(version).jsonPath().getInt("total")).isZero();
        as("rita", "radiologist").contentType("application/json").body("{\"label\": \"NORMAL\"}")
                .post("/api/v1/review/cases/" + id + "/reviews").then().statusCode(409)
                .body("error", equalTo("already_reviewed"));
        as("audrey", "auditor").get("/api/v1/audit").then().statusCode(200)
                .body("find { it.target == '" + id + "' && it.action == 'case.reviewed' }.actor", equalTo("rita"));
    }

    @Test
    void twoReadersClaimingOneCaseAtOnceOneWins() throws Exception {
        String id = predict("v-" + UUID.randomUUID(), ScreeningClass.PNEUMONIA, 0.1, 0.4, 0.5);
        awaitCase(id);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<Integer>> claims = new ArrayList<>();
            for (String reader : List.of("rita", "ravi")) {
                claims.add(() -> as(reader, "radiologist").post("/api/v1/review/cases/" + id + "/claim")
                        .statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(claims)) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 409);
        } finally {
            pool.shutdown();
        }
        String holder = as("rita", "radiologist").get("/api/v1/review/cases/" + id).jsonPath().getString("item.claimedBy");
        String other = holder.equals("rita") ? "ravi" : "rita";
        as(other, "radiologist").contentType("application/json").body("{\"label\": \"NORMAL\"}")
                .post("/api/v1/review/cases/" + id + "/reviews").then().statusCode(409)
                .body("error", equalTo("claimed_by_another")).body("message", containsString(holder));
        as(other, "radiologist").delete("/api/v1/review/cases/" + id + "/claim").then().statusCode(409);
        as(holder, "radiologist").delete("/api/v1/review/cases/" + id + "/claim").then().statusCode(200);
        as(other, "radiologist").post("/api/v1/review/cases/" + id + "/claim").then().statusCode(200);
    }

    @Test
    void badInputGetsAClear4xxAndWritesNothing() {
        String id = predict("v-" + UUID.randomUUID(), ScreeningClass.PNEUMONIA, 0.1, 0.4, 0.5);
        awaitCase(id);
        as("rita", "radiologist").contentType("application/json").body("{\"label\": \"TUBERCULOSIS\"}")
                .post("/api/v1/review/cases/" + id + "/reviews").then().statusCode(400)
                .body("error", equalTo("bad_label")).body("message", containsString("COVID19, NORMAL, PNEUMONIA"));
        as("rita", "radiologist").contentType("application/json").body("{\"label\": ")
                .post("/api/v1/review/cases/" + id + "/reviews").then().statusCode(400)
                .body("error", equalTo("malformed_json"));
        as("rita", "radiologist").contentType("application/json").body("{\"label\": \"NORMAL\"}")
                .post("/api/v1/review/cases/unknown-" + UUID.randomUUID() + "/reviews").then().statusCode(404)
                .body("error", equalTo("case_not_found"));
        as("rita", "radiologist").get("/api/v1/review/cases/" + id).then().statusCode(200)
                .body("reviews", org.hamcrest.Matchers.empty()).body("item.status", equalTo("OPEN"));
        assertThat(topic.readKey(Topics.LABELS, id, 1, Duration.ofSeconds(3))).isEmpty();
    }

    /** Every endpoint with every role and without a token: 401 without, 403 for a role it does not allow. */
    @Test
    void everyEndpointWithEveryRole() {
        String id = predict("v-" + UUID.randomUUID(), ScreeningClass.PNEUMONIA, 0.1, 0.4, 0.5);
        topic.send(Topics.IMAGES, id, ImageReceived.of(id, "http-upload", "PNG", 4, 4, 4, 4, Instant.now(),
                png()));
        awaitCase(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> as("rita", "radiologist")
                .get("/api/v1/review/cases/" + id + "/image").statusCode() == 200);
        record Call(String method, String path, String body, List<String> allowed) {
        }
        List<Call> calls = List.of(
                new Call("GET", "/api/v1/results", null, List.of("radiologist", "auditor", "admin")),
                new Call("GET", "/api/v1/results/" + id, null, List.of("radiologist", "auditor", "admin")),
                new Call("GET", "/api/v1/review/worklist", null, List.of("radiologist", "auditor")),
                new Call("GET", "/api/v1/review/cases/" + id, null, List.of("radiologist", "auditor")),
                new Call("GET", "/api/v1/review/cases/" + id + "/image", null, List.of("radiologist", "auditor")),
                new Call("POST", "/api/v1/review/cases/" + id + "/claim", null, List.of("radiologist")),
                new Call("DELETE", "/api/v1/review/cases/" + id + "/claim", null, List.of("radiologist")),
                new Call("GET", "/api/v1/review/statistics", null, List.of("radiologist", "auditor", "admin")),
                new Call("GET", "/api/v1/review/disagreements", null, List.of("radiologist", "auditor", "admin")),
                new Call("GET", "/api/v1/audit", null, List.of("auditor", "admin")),
                new Call("GET", "/api/v1/admin/flagging", null, List.of("admin")),
                new Call("PUT", "/api/v1/admin/flagging", "{\"confidenceThreshold\": 0.8}", List.of("admin")),
                new Call("POST", "/api/v1/review/cases/" + id + "/reviews", "{\"label\": \"NORMAL\"}",
                        List.of("radiologist")));
        for (Call call : calls) {
            assertThat(send(given(), call.method(), call.path(), call.body()).statusCode())
                    .as("%s %s without a token", call.method(), call.path()).isEqualTo(401);
            for (String role : List.of("radiologist", "auditor", "admin")) {
                int status = send(as("user-" + role, role), call.method(), call.path(), call.body()).statusCode();
                if (call.allowed().contains(role)) {
                    assertThat(status).as("%s %s as %s", call.method(), call.path(), role).isBetween(200, 299);
                } else {
                    assertThat(status).as("%s %s as %s", call.method(), call.path(), role).isEqualTo(403);
                }
            }
        }
        as("audrey", "auditor").get("/api/v1/audit").then().statusCode(200)
                .body("findAll { it.target == '" + id + "' && it.action == 'case.opened' }.actor",
                        org.hamcrest.Matchers.hasItems("user-radiologist", "user-auditor"))
                .body("findAll { it.target == '" + id + "' && it.action == 'case.reviewed' }.actor",
                        org.hamcrest.Matchers.contains("user-radiologist"));
    }


    private static byte[] png() {
        try {
            var out = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(4, 4,
                    java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png", out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Response send(RequestSpecification request, String method, String path, String body) {
        if (body != null) {
            request = request.contentType("application/json").body(body);
        }
        return request.request(method, path);
    }

    private String predict(String version, ScreeningClass label, double covid, double normal, double pneumonia) {
        String id = "img-" + UUID.randomUUID();
        topic.send(Topics.PREDICTIONS, id, prediction(id, version, label, covid, normal, pneumonia));
        return id;
    }

    /**
     * Waits until the results service has consumed every prediction sent so far with key {@code key}: a
     * marker prediction is sent to the same partition and awaited, so everything before it was consumed.
     */
    private void awaitConsumedUpTo(String key) {
        String marker;
        do {
            marker = "marker-" + UUID.randomUUID();
        } while (partition(marker) != partition(key));
        topic.send(Topics.PREDICTIONS, marker, prediction(marker, "v1", ScreeningClass.NORMAL, 0.02, 0.96, 0.02));
        String sent = marker;
        await().atMost(Duration.ofSeconds(30)).until(() -> as("rita", "radiologist")
                .get("/api/v1/results/" + sent).statusCode() == 200);
    }

    /** The partition Kafka's default partitioner gives a key on the test broker's topics. */
    private static int partition(String key) {
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % KafkaTestBroker.PARTITIONS;
    }

    private static void awaitCase(String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> as("rita", "radiologist")
                .get("/api/v1/review/cases/" + id).statusCode() == 200);
    }

    private static Response worklist(String version) {
        return as("rita", "radiologist").queryParam("modelVersion", version).queryParam("size", 50)
                .get("/api/v1/review/worklist");
    }

    static RequestSpecification as(String user, String role) {
        return given().auth().oauth2(JwtResource.token(user, role));
    }

    private static PredictionMade prediction(String id, String version, ScreeningClass label, double covid,
            double normal, double pneumonia) {
        Instant now = Instant.now();
        return new PredictionMade(UUID.randomUUID(), now, 1, id, "cxr-classifier", version, label,
                Map.of(ScreeningClass.COVID19, covid, ScreeningClass.NORMAL, normal, ScreeningClass.PNEUMONIA,
                        pneumonia), "worker-1", 10.0, now.minusSeconds(1));
    }
}
