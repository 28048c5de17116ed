package org.cxrscreen.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.model.TestModels;
import org.cxrscreen.testsupport.KafkaResource;
import org.cxrscreen.testsupport.KafkaTestBroker;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.Test;

/**
 * The worker against a real broker: real images in on the images topic, predictions out on the
 * predictions topic with the model's output; poison records to the dead-letter topic with a reason,
 * without stopping the stream.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(TestModelResource.class)
class ImageConsumerTest {

    private final TopicClient topic = new TopicClient(KafkaTestBroker.bootstrapServers());
    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);

    @Test
    void realImagesArePredictedWithTheServedModel() {
        for (ScreeningClass c : ScreeningClass.values()) {
            Path file = SharedData.images(c, 1).get(0);
            GrayImage canonical = CanonicalImages.fromEncoded(SharedData.read(file), decoder);
            ImageReceived image = image(canonical);

            topic.send(Topics.IMAGES, image.imageId(), image);

            List<ConsumerRecord<String, byte[]>> records =
                    topic.readKey(Topics.PREDICTIONS, image.imageId(), 1, Duration.ofSeconds(30));
            assertThat(records).as("prediction for %s", file).hasSize(1);
            PredictionMade prediction = EventCodec.decode(records.get(0).value(), PredictionMade.class);
            float[] expected = TestModels.expectedAveraging(canonical);
            assertThat(prediction.modelVersion()).isEqualTo(TestModels.VERSION);
            assertThat(prediction.imageReceivedAt()).isEqualTo(image.receivedAt());
            assertThat(prediction.probabilities().get(ScreeningClass.COVID19)).isCloseTo(expected[0], within(1e-5));
            assertThat(prediction.probabilities().get(ScreeningClass.NORMAL)).isCloseTo(expected[1], within(1e-5));
            assertThat(prediction.probabilities().get(ScreeningClass.PNEUMONIA)).isCloseTo(expected[2], within(1e-5));
            assertThat(prediction.label()).isEqualTo(ScreeningClass.values()[argmax(expected)]);
            assertThat(prediction.worker()).isNotBlank();
        }
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithTheReasonAndTheStreamGoesOn() {
        String notJson = "poison-" + UUID.randomUUID();
        topic.send(Topics.IMAGES, notJson, "this is not an event".getBytes(StandardCharsets.UTF_8));
        String notPng = "bad-png-" + UUID.randomUUID();
        ImageReceived badImage = new ImageReceived(UUID.randomUUID(), Instant.now(), 1, notPng, "test", null, null,
                null, null, "PNG", 10, 10, 10, 10, Instant.now(), "not a png at all".getBytes(StandardCharsets.UTF_8));
        topic.send(Topics.IMAGES, notPng, badImage);
        GrayImage canonical = CanonicalImages.fromEncoded(
                SharedData.read(SharedData.images(ScreeningClass.NORMAL, 2).get(1)), decoder);
        ImageReceived good = image(canonical);
        topic.send(Topics.IMAGES, good.imageId(), good);

        ConsumerRecord<String, byte[]> first =
                topic.readKey(Topics.deadLetter(Topics.IMAGES), notJson, 1, Duration.ofSeconds(30)).get(0);
        ConsumerRecord<String, byte[]> second =
                topic.readKey(Topics.deadLetter(Topics.IMAGES), notPng, 1, Duration.ofSeconds(30)).get(0);
        assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("this is not an event");
        assertThat(TopicClient.header(first, "dead-letter-reason")).startsWith("invalid ImageReceived event");
        assertThat(TopicClient.header(second, "dead-letter-reason")).contains("not a PNG or JPEG");
        assertThat(TopicClient.header(second, "dead-letter-topic")).isEqualTo(Topics.IMAGES);
        assertThat(topic.readKey(Topics.PREDICTIONS, good.imageId(), 1, Duration.ofSeconds(30))).hasSize(1);
        assertThat(topic.readKey(Topics.PREDICTIONS, notPng, 1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void theServedModelIsReportedAndReadinessIsUp() {
        given().when().get("/api/v1/model").then().statusCode(200).body("version", equalTo(TestModels.VERSION));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'model' }.data.version", equalTo(TestModels.VERSION));
    }

    private static ImageReceived image(GrayImage canonical) {
        return ImageReceived.of("img-" + UUID.randomUUID(), "test", "JPEG", canonical.width(), canonical.height(),
                canonical.width(), canonical.height(), Instant.now(), CanonicalImages.encodePng(canonical));
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
