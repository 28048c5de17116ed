package org.cxrscreen.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.dicom.Deidentifier;
import org.cxrscreen.dicom.DicomObject;
import org.cxrscreen.dicom.DicomReader;
import org.cxrscreen.dicom.Tags;
import org.cxrscreen.dicom.net.Dimse;
import org.cxrscreen.dicom.net.StoreScu;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.ingest.dicom.DicomScpService;
import org.cxrscreen.testsupport.EmbeddedPostgresServer;
import org.cxrscreen.testsupport.KafkaResource;
import org.cxrscreen.testsupport.KafkaTestBroker;
import org.cxrscreen.testsupport.PostgresResource;
import org.cxrscreen.testsupport.Processes;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.testsupport.TopicClient;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The DICOM edge of the running service with a real Kafka broker and PostgreSQL: dcmtk's
 * {@code storescu} and {@code echoscu} against the C-STORE SCP, STOW-RS and the HTTP upload of Part 10
 * files. What is accepted must be on the images topic, de-identified and once per SOP instance; what
 * is refused must say why and publish nothing.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "ingest"))
class DicomIngestTest {

    private final TopicClient topic = new TopicClient(KafkaTestBroker.bootstrapServers());

    @Inject
    DicomScpService scp;

    @ConfigProperty(name = "ingest.pseudonym-key")
    String key;

    @Test
    void echoscuGetsAnAnswer() {
        Processes.Result echo = Processes.run(Duration.ofSeconds(30), "echoscu", "-aec", "CXRSCREEN", "localhost",
                String.valueOf(scp.port()));
        assertThat(echo.status()).as(echo.output()).isZero();
    }

    @Test
    void storescuPushesAnAcceptedFixtureAndItIsPublishedDeidentifiedOnceEvenWhenSentTwice() throws Exception {
        String name = "cr-pneumonia-12bit-mono1-implicit.dcm";
        DicomObject original = DicomReader.readPart10(SharedData.read(SharedData.dicom(name))).dataset();
        Deidentifier deidentifier = new Deidentifier(key);
        String imageId = deidentifier.pseudonym(original.string(Tags.SOP_INSTANCE_UID));

        for (int copy = 0; copy < 2; copy++) {
            Processes.Result sent = storescu(name);
            assertThat(sent.status()).as(sent.output()).isZero();
            assertThat(sent.output()).doesNotContainIgnoringCase("error");
        }

        List<ConsumerRecord<String, byte[]>> records = topic.readKey(Topics.IMAGES, imageId, 2, Duration.ofSeconds(8));
        assertThat(records).hasSize(1);
        ImageReceived event = EventCodec.decode(records.get(0).value(), ImageReceived.class);
        assertThat(event.source()).isEqualTo("dicom-c-store");
        assertThat(event.instanceId()).isEqualTo(imageId);
        assertThat(event.studyId()).isEqualTo(deidentifier.pseudonym(original.string(Tags.STUDY_INSTANCE_UID)));
        assertThat(event.modality()).isEqualTo("CR");
        assertThat(event.view()).isEqualTo(original.string(Tags.VIEW_POSITION));
        assertThat(event.originalFormat()).isEqualTo("DICOM");
        assertThat(event.originalWidth()).isEqualTo(955);
        assertThat(event.originalHeight()).isEqualTo(954);
        GrayImage png = CanonicalImages.decodePng(event.png());
        assertThat(Math.max(png.width(), png.height())).isLessThanOrEqualTo(1024);
        try (Connection c = DriverManager.getConnection(EmbeddedPostgresServer.jdbcUrl("ingest"),
                EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD);
                PreparedStatement q = c.prepareStatement(
                        "select copies, published_at is not null from dicom_instance where instance_id = ?")) {
            q.setString(1, imageId);
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(rs.getBoolean(2)).isTrue();
            }
        }
    }

    @Test
    void refusedObjectsGetAFailureStatusWithTheirReasonAndPublishNothing() throws Exception {
        Map<String, String> reasons = Map.of(
                "reject-lateral-view.dcm", "view LL is not screened",
                "reject-no-pixel-data.dcm", "no pixel data");
        for (var entry : reasons.entrySet()) {
            byte[] file = SharedData.read(SharedData.dicom(entry.getKey()));
            DicomReader.Part10 part10 = DicomReader.readPart10(file);
            String sopClass = part10.dataset().string(Tags.SOP_CLASS_UID);
            String instance = part10.dataset().string(Tags.SOP_INSTANCE_UID);
            try (StoreScu scu = StoreScu.open("localhost", scp.port(), "CXRSCREEN", "TESTSCU",
                    List.of(new StoreScu.Offer(sopClass, part10.transferSyntaxUid())), Duration.ofSeconds(10))) {
                Dimse.Status status = scu.store(sopClass, instance, part10.transferSyntaxUid(),
                        Arrays.copyOfRange(file, part10.datasetOffset(), file.length));
                assertThat(status.success()).as(entry.getKey()).isFalse();
                assertThat(status.comment()).as(entry.getKey()).containsIgnoringCase(entry.getValue());
            }
            String imageId = new Deidentifier(key).pseudonym(instance);
            assertThat(topic.readKey(Topics.IMAGES, imageId, 1, Duration.ofSeconds(2))).isEmpty();
        }
        Processes.Result ct = storescu("reject-ct-abdomen.dcm");
        assertThat(ct.output()).containsIgnoringCase("no presentation context");
        Processes.Result lateral = storescu("reject-lateral-view.dcm");
        assertThat(lateral.output()).contains("Received Store Response (Error");
    }

    @Test
    void everyRejectFixtureUploadedOverHttpIsRefusedWithItsReason() {
        Map<String, String> expected = Map.of(
                "reject-ct-abdomen.dcm", "modality CT is not screened",
                "reject-lateral-view.dcm", "view LL is not screened",
                "reject-no-pixel-data.dcm", "no pixel data",
                "reject-truncated.dcm", "",
                "reject-not-dicom.dcm", "");
        for (var entry : expected.entrySet()) {
            Response response = given().contentType("application/dicom")
                    .body(SharedData.read(SharedData.dicom(entry.getKey())))
                    .when().post("/api/v1/images");
            assertThat(response.statusCode()).as(entry.getKey() + ": " + response.asString()).isBetween(400, 499);
            assertThat(response.jsonPath().getString("message")).as(entry.getKey()).isNotBlank()
                    .containsIgnoringCase(entry.getValue());
        }
    }

    @Test
    void anAcceptedFixtureUploadedOverHttpIsAcceptedThenADuplicate() {
        byte[] file = SharedData.read(SharedData.dicom("dx-normal-12bit-mono2.dcm"));
        String imageId = given().contentType("application/dicom").body(file)
                .when().post("/api/v1/images")
                .then().statusCode(202).body("format", equalTo("DICOM")).body("modality", equalTo("DX"))
                .extract().path("imageId");
        given().contentType("application/dicom").body(file)
                .when().post("/api/v1/images")
                .then().statusCode(200).body("status", equalTo("duplicate")).body("imageId", equalTo(imageId));
        assertThat(topic.readKey(Topics.IMAGES, imageId, 2, Duration.ofSeconds(5))).hasSize(1);
    }

    @Test
    void stowRsStoresEachInstanceOnItsOwnAndAnswersPerInstance() throws Exception {
        String boundary = "cxr-test-boundary-1234";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> names = List.of("cr-covid-jpeg-baseline.dcm", "reject-lateral-view.dcm", "reject-not-dicom.dcm");
        for (String name : names) {
            body.write(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            body.write(SharedData.read(SharedData.dicom(name)));
            body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        DicomObject covid = DicomReader.readPart10(SharedData.read(SharedData.dicom(names.get(0)))).dataset();
        DicomObject lateral = DicomReader.readPart10(SharedData.read(SharedData.dicom(names.get(1)))).dataset();

        Response response = given()
                .contentType("multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .accept("application/dicom+json")
                .body(body.toByteArray())
                .when().post("/dicom-web/studies");

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(202);
        assertThat(response.contentType()).startsWith("application/dicom+json");
        var json = response.jsonPath();
        assertThat(json.getList("'00081199'.Value")).hasSize(1);
        assertThat(json.getString("'00081199'.Value[0].'00081155'.Value[0]"))
                .isEqualTo(covid.string(Tags.SOP_INSTANCE_UID));
        assertThat(json.getList("'00081198'.Value")).hasSize(2);
        assertThat(json.getString("'00081198'.Value[0].'00081155'.Value[0]"))
                .isEqualTo(lateral.string(Tags.SOP_INSTANCE_UID));
        assertThat(json.getInt("'00081198'.Value[0].'00081197'.Value[0]")).isEqualTo(0xC001);
        assertThat(json.getString("'00081198'.Value[0].'00000902'.Value[0]")).contains("view LL");
        assertThat(json.getInt("'00081198'.Value[1].'00081197'.Value[0]")).isEqualTo(0xC000);
        assertThat(json.getString("'00081198'.Value[1].'00000902'.Value[0]")).contains("not a DICOM file");

        String imageId = new Deidentifier(key).pseudonym(covid.string(Tags.SOP_INSTANCE_UID));
        List<ConsumerRecord<String, byte[]>> records = topic.readKey(Topics.IMAGES, imageId, 1, Duration.ofSeconds(20));
        assertThat(records).hasSize(1);
        assertThat(EventCodec.decode(records.get(0).value(), ImageReceived.class).source()).isEqualTo("dicomweb-stow");
    }

    @Test
    void stowRsRefusesABodyThatIsNotMultipartRelatedDicom() {
        given().contentType("multipart/related; type=\"application/dicom+xml\"; boundary=x").body("--x--".getBytes(StandardCharsets.US_ASCII))
                .when().post("/dicom-web/studies")
                .then().statusCode(415).body("message", containsString("application/dicom"));
        given().contentType("multipart/related; type=\"application/dicom\"; boundary=abc").body("no boundary here".getBytes(StandardCharsets.US_ASCII))
                .when().post("/dicom-web/studies")
                .then().statusCode(400).body("error", equalTo("malformed_multipart"));
    }

    private Processes.Result storescu(String name) {
        String propose = name.contains("jpeg") ? "-xy" : "-x=";
        return Processes.run(Duration.ofSeconds(60), "storescu", "-v", "-aec", "CXRSCREEN", "-aet", "TESTSCU", propose,
                "localhost", String.valueOf(scp.port()), SharedData.dicom(name).toString());
    }
}
