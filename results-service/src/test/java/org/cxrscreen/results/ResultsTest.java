package org.cxrscreen.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.results.persistence.PredictionRepository;
import org.cxrscreen.testsupport.JwtResource;
import org.cxrscreen.testsupport.KafkaResource;
import org.cxrscreen.testsupport.KafkaTestBroker;
import org.cxrscreen.testsupport.PostgresResource;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.Test;

/**
 * Events in on real Kafka topics, rows in a real PostgreSQL, results out over REST; duplicates and
 * redeliveries change nothing, poison goes to the dead-letter topic.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(value = PostgresResource.class, initArgs = @io.quarkus.test.common.ResourceArg(name = "database",
        value = "results"))
@QuarkusTestResource(JwtResource.class)
class ResultsTest {

    private final TopicClient topic = new TopicClient(KafkaTestBroker.bootstrapServers());

    @Inject
    PredictionRepository predictions;

    @Test
    void anImageAndItsPredictionAreStoredAndServed() {
        String id = "img-" + UUID.randomUUID();
        Instant received = Instant.now().minusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
        topic.send(Topics.IMAGES, id, image(id, received));
        topic.send(Topics.PREDICTIONS, id, prediction(id, "v1", ScreeningClass.COVID19, 0.7, 0.1, 0.2, received));

        awaitPredictions(id, 1);
        // the image comes on its own topic and channel: it may be stored after the prediction
        await().atMost(Duration.ofSeconds(30)).until(() -> reader().when().get("/api/v1/results/" + id)
                .jsonPath().getString("image.source") != null);
        reader().when().get("/api/v1/results/" + id)
                .then().statusCode(200)
                .body("imageId", equalTo(id))
                .body("image.source", equalTo("http-upload"))
                .body("image.originalWidth", equalTo(2048))
                .body("image.width", equalTo(1024))
                .body("latest.modelVersion", equalTo("v1"))
                .body("latest.label", equalTo("COVID19"))
                .body("latest.probabilities.COVID19", equalTo(0.7f))
                .body("latest.probabilities.PNEUMONIA", equalTo(0.2f))
                .body("latest.latencyMillis", equalTo(2000))
                .body("predictions", hasSize(1));
    }

    @Test
    void aDuplicatedOrRedeliveredPredictionIsStoredOnceAndANewModelVersionAddsOne() {
        String id = "img-" + UUID.randomUUID();
        Instant received = Instant.now();
        topic.send(Topics.PREDICTIONS, id, prediction(id, "v1", ScreeningClass.NORMAL, 0.1, 0.8, 0.1, received));
        PredictionMade again = prediction(id, "v1", ScreeningClass.NORMAL, 0.1, 0.8, 0.1, received);
        topic.send(Topics.PREDICTIONS, id, again);
        topic.send(Topics.PREDICTIONS, id, again);
        topic.send(Topics.PREDICTIONS, id, prediction(id, "v2", ScreeningClass.PNEUMONIA, 0.1, 0.3, 0.6, received));
        String marker = "img-" + UUID.randomUUID();
        topic.send(Topics.PREDICTIONS, marker, prediction(marker, "v1", ScreeningClass.NORMAL, 0.1, 0.8, 0.1, received));

        awaitPredictions(marker, 1);
        awaitPredictions(id, 2);
        assertThat(countOf(id)).isEqualTo(2);
        reader().when().get("/api/v1/results/" + id)
                .then().statusCode(200)
                .body("image", nullValue())
                .body("predictions.modelVersion", org.hamcrest.Matchers.containsInAnyOrder("v1", "v2"));
    }

    @Test
    void aPredictionThatArrivesBeforeItsImageIsJoinedWhenTheImageComes() {
        String id = "img-" + UUID.randomUUID();
        Instant received = Instant.now();
        topic.send(Topics.PREDICTIONS, id, prediction(id, "v1", ScreeningClass.PNEUMONIA, 0.1, 0.2, 0.7, received));
        awaitPredictions(id, 1);
        topic.send(Topics.IMAGES, id, image(id, received));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> reader().when().get("/api/v1/results/" + id)
                .then().statusCode(200).body("image.source", equalTo("http-upload")));
    }

    @Test
    void theListIsPagedAndFilteredByLabel() {
        String tag = UUID.randomUUID().toString();
        for (int i = 0; i < 3; i++) {
            String id = "page-" + tag + "-" + i;
            topic.send(Topics.PREDICTIONS, id, prediction(id, "v1", ScreeningClass.COVID19, 0.9, 0.05, 0.05,
                    Instant.now()));
        }
        awaitPredictions("page-" + tag + "-2", 1);

        reader().queryParam("size", 2).queryParam("label", "covid-19").when().get("/api/v1/results")
                .then().statusCode(200)
                .body("page", equalTo(0)).body("size", equalTo(2))
                .body("items", hasSize(2))
                .body("items.prediction.label", org.hamcrest.Matchers.everyItem(equalTo("COVID19")))
                .body("total", org.hamcrest.Matchers.greaterThanOrEqualTo(3));
        reader().queryParam("size", 500).when().get("/api/v1/results")
                .then().statusCode(400).body("error", equalTo("bad_paging"))
                .body("message", containsString("between 1 and 200"));
        reader().queryParam("label", "tuberculosis").when().get("/api/v1/results")
                .then().statusCode(400).body("message", containsString("expected one of COVID19, NORMAL, PNEUMONIA"));
    }

    @Test
    void anUnknownImageIs404WithAReason() {
        reader().when().get("/api/v1/results/nothing-here")
                .then().statusCode(404).body("error", equalTo("result_not_found"));
    }

    @Test
    void aPoisonPredictionGoesToTheDeadLetterTopicAndTheStreamGoesOn() {
        String poison = "poison-" + UUID.randomUUID();
        topic.send(Topics.PREDICTIONS, poison, "{\"imageId\": 12}".getBytes(StandardCharsets.UTF_8));
        String next = "img-" + UUID.randomUUID();
        topic.send(Topics.PREDICTIONS, next, prediction(next, "v1", ScreeningClass.NORMAL, 0.2, 0.7, 0.1, Instant.now()));

        var dead = topic.readKey(Topics.deadLetter(Topics.PREDICTIONS), poison, 1, Duration.ofSeconds(30));
        assertThat(dead).hasSize(1);
        assertThat(TopicClient.header(dead.get(0), "dead-letter-reason")).startsWith("invalid PredictionMade event");
        awaitPredictions(next, 1);
    }

    private static io.restassured.specification.RequestSpecification reader() {
        return io.restassured.RestAssured.given().auth().oauth2(JwtResource.token("audrey", "auditor"));
    }

    private void awaitPredictions(String imageId, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> countOf(imageId) >= count);
    }

    private long countOf(String imageId) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                .call(() -> predictions.count("imageId", imageId));
    }

    private static ImageReceived image(String id, Instant received) {
        return ImageReceived.of(id, "http-upload", "JPEG", 2048, 2500, 1024, 1250, received, new byte[] {1});
    }

    private static PredictionMade prediction(String id, String version, ScreeningClass label, double covid,
            double normal, double pneumonia, Instant received) {
        return new PredictionMade(UUID.randomUUID(), received.plusSeconds(2), 1, id, "cxr-classifier", version, label,
                Map.of(ScreeningClass.COVID19, covid, ScreeningClass.NORMAL, normal, ScreeningClass.PNEUMONIA,
                        pneumonia), "worker-1", 12.5, received);
    }
}
