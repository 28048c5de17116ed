package org.cxrscreen.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.testsupport.KafkaResource;
import org.cxrscreen.testsupport.KafkaTestBroker;
import org.cxrscreen.testsupport.PostgresResource;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.testsupport.SyntheticImages;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.Test;

/**
 * Uploads against the running service and a real Kafka broker: what is accepted must be on the
 * images topic in canonical form; what is refused gets a JSON error and publishes nothing.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class ImageUploadTest {

    private final TopicClient topic = new TopicClient(KafkaTestBroker.bootstrapServers());

    @Test
    void aRealJpegIsPublishedAsACanonicalPngUnderItsImageId() {
        Path file = SharedData.images(ScreeningClass.COVID19, 3).get(2);
        byte[] jpeg = SharedData.read(file);

        String imageId = given().contentType("image/jpeg").body(jpeg)
                .when().post("/api/v1/images")
                .then().statusCode(202)
                .body("status", equalTo("accepted"))
                .body("format", equalTo("JPEG"))
                .body("imageId", matchesPattern("[0-9a-f]{32}"))
                .extract().path("imageId");

        List<ConsumerRecord<String, byte[]>> records = topic.readKey(Topics.IMAGES, imageId, 1, Duration.ofSeconds(20));
        assertThat(records).hasSize(1);
        ImageReceived event = EventCodec.decode(records.get(0).value(), ImageReceived.class);
        GrayImage expected = CanonicalImages.fromEncoded(jpeg, new ImageDecoder(ImageLimits.DEFAULT));
        assertThat(event.imageId()).isEqualTo(imageId);
        assertThat(event.source()).isEqualTo("http-upload");
        assertThat(event.originalFormat()).isEqualTo("JPEG");
        assertThat(event.originalWidth()).isEqualTo(224);
        assertThat(CanonicalImages.decodePng(event.png())).isEqualTo(expected);
    }

    @Test
    void aMultipartUploadOfTheSameImageGetsTheSameId() {
        byte[] jpeg = SharedData.read(SharedData.images(ScreeningClass.NORMAL, 5).get(4));

        String raw = given().contentType("application/octet-stream").body(jpeg)
                .when().post("/api/v1/images").then().statusCode(202).extract().path("imageId");
        String form = given().multiPart("file", "xray.jpg", jpeg, "image/jpeg")
                .when().post("/api/v1/images").then().statusCode(202).extract().path("imageId");

        assertThat(form).isEqualTo(raw);
        assertThat(topic.readKey(Topics.IMAGES, raw, 2, Duration.ofSeconds(20))).hasSize(2);
    }

    @Test
    void aLargeImageIsShrunkTo1024AndKeepsItsOriginalSize() throws IOException {
        BufferedImage big = new BufferedImage(2500, 2000, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 2000; y += 10) {
            for (int x = 0; x < 2500; x++) {
                big.getRaster().setSample(x, y, 0, (x * 26) & 0xFFFF);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(big, "png", png);

        String imageId = given().contentType("image/png").body(png.toByteArray())
                .when().post("/api/v1/images")
                .then().statusCode(202)
                .body("originalWidth", equalTo(2500)).body("originalHeight", equalTo(2000))
                .body("width", equalTo(1024)).body("height", equalTo(819))
                .extract().path("imageId");

        ImageReceived event = EventCodec.decode(
                topic.readKey(Topics.IMAGES, imageId, 1, Duration.ofSeconds(20)).get(0).value(), ImageReceived.class);
        GrayImage canonical = CanonicalImages.decodePng(event.png());
        assertThat(canonical.width()).isEqualTo(1024);
        assertThat(canonical.height()).isEqualTo(819);
        assertThat(event.originalWidth()).isEqualTo(2500);
    }

    @Test
    void badInputIsRefusedWithAJsonErrorAndNothingIsPublished() {
        byte[] jpeg = SharedData.read(SharedData.images(ScreeningClass.PNEUMONIA, 1).get(0));
        int before = allImages().size();

        given().contentType("image/jpeg").body(new byte[0]).when().post("/api/v1/images")
                .then().statusCode(400).body("error", equalTo("empty_image"))
                .body("message", containsString("Accepted: PNG or JPEG"));
        given().contentType("image/png").body("<html>not an image</html>".getBytes()).when().post("/api/v1/images")
                .then().statusCode(415).body("error", equalTo("unsupported_format"))
                .body("message", containsString("not a PNG or JPEG"));
        given().contentType("image/jpeg").body(Arrays.copyOf(jpeg, jpeg.length / 2)).when().post("/api/v1/images")
                .then().statusCode(422).body("error", equalTo("corrupt_image"))
                .body("message", containsString("truncated"));
        given().contentType("image/png").body(SyntheticImages.pngClaiming(80_000, 80_000)).when().post("/api/v1/images")
                .then().statusCode(422).body("error", equalTo("too_many_pixels"))
                .body("message", containsString("80000x80000"));
        given().contentType("image/jpeg").body(new byte[9 * 1024 * 1024]).when().post("/api/v1/images")
                .then().statusCode(413).body("error", equalTo("image_too_large"))
                .body("message", containsString("at most 8 MiB"));
        given().multiPart("other", "x.jpg", jpeg, "image/jpeg").when().post("/api/v1/images")
                .then().statusCode(400).body("message", containsString("no part named 'file'"));

        // the service goes on serving, and none of the refusals reached the topic
        String imageId = given().contentType("image/jpeg").body(jpeg).when().post("/api/v1/images")
                .then().statusCode(202).extract().path("imageId");
        List<ConsumerRecord<String, byte[]>> after = topic.readUntil(Topics.IMAGES,
                records -> records.stream().anyMatch(r -> imageId.equals(r.key())), Duration.ofSeconds(20));
        assertThat(after).hasSize(before + 1);
    }

    @Test
    void healthAndMetricsAreServed() {
        given().when().get("/q/health/ready").then().statusCode(200);
        given().contentType("image/jpeg").body(new byte[0]).when().post("/api/v1/images").then().statusCode(400);
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("ingest_images_refused_total{reason=\"empty\""));
    }

    private List<ConsumerRecord<String, byte[]>> allImages() {
        return topic.readUntil(Topics.IMAGES, records -> false, Duration.ofSeconds(3));
    }
}
