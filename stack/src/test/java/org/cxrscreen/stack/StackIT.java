package org.cxrscreen.stack;

import org.cxrscreen.model.FileTrees;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.cxrscreen.contracts.EventCodec;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.dicom.Deidentifier;
import org.cxrscreen.dicom.DicomObject;
import org.cxrscreen.dicom.DicomReader;
import org.cxrscreen.dicom.Tags;
import org.cxrscreen.testsupport.Processes;
import org.cxrscreen.testsupport.DevTokens;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end, as {@code cxr up} runs it: a real Kafka broker process, a real PostgreSQL, a starter
 * model trained by {@code cxr train} on real images, and the four services as packaged. Real X-rays
 * are uploaded over HTTP, DICOM objects pushed by dcmtk's {@code storescu} and by Orthanc (C-STORE and
 * STOW-RS), and their diagnoses read back from the results API; then Kafka, PostgreSQL and every log
 * are searched for the fixtures' patient data.
 */
class StackIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path WORK = Path.of("target", "it-stack").toAbsolutePath();

    private static Stack stack;
    private static DevTokens tokens;
    private static String reader;
    private static StackOptions options;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        FileTrees.delete(WORK);
        options = new StackOptions(Path.of(System.getProperty("cxr.home", "..")).toAbsolutePath().normalize(), WORK,
                Optional.of(SharedData.cxr()), Optional.empty(), 1, 30, Optional.empty(), "postgres", "postgres",
                new StackOptions.Ports(Stack.freePort(), Stack.freePort(), Stack.freePort(), Stack.freePort(), Stack.freePort(), Stack.freePort(), Stack.freePort(), Stack.freePort()));
        stack = Stack.start(options, new PrintStream(LOG, true, StandardCharsets.UTF_8));
        tokens = DevTokens.in(WORK.resolve("jwt"));
        reader = tokens.token("stack-it", Duration.ofHours(1), "radiologist");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
            StackOptions.Ports p = options.ports();
            for (int port : new int[] {p.kafka(), p.kafkaController(), p.postgres(), p.ingest(), p.inference(),
                    p.results(), p.training(), p.dicom()}) {
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

    @Test
    void aRadiologistReviewsAFlaggedCaseAndTheLabelReachesTheTopicAndTheStatistics() throws Exception {
        int results = options.ports().results();
        String admin = tokens.token("stack-admin", Duration.ofHours(1), "admin");
        // every new prediction is flagged below a confidence of 1.0
        HttpResponse<String> set = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + results
                        + "/api/v1/admin/flagging")).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"confidenceThreshold\": 1.0}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        String imageId = upload(SharedData.read(SharedData.images(ScreeningClass.NORMAL, 7).get(6)))
                .get("imageId").asText();
        awaitResult(imageId);

        JsonNode worklist = get("/api/v1/review/worklist?size=200", results);
        JsonNode item = null;
        for (JsonNode i : worklist.get("items")) {
            if (i.get("imageId").asText().equals(imageId)) {
                item = i;
            }
        }
        assertThat(item).as("the case on the worklist: %s", worklist).isNotNull();
        String modelLabel = item.get("predictedLabel").asText();
        String version = item.get("modelVersion").asText();
        String label = modelLabel.equals("PNEUMONIA") ? "NORMAL" : "PNEUMONIA";
        assertThat(post("/api/v1/review/cases/" + imageId + "/claim", null).statusCode()).isEqualTo(200);
        HttpResponse<String> reviewed = post("/api/v1/review/cases/" + imageId + "/reviews",
                "{\"label\": \"" + label + "\", \"comment\": \"stack test\"}");
        assertThat(reviewed.statusCode()).as(reviewed.body()).isEqualTo(201);

        var labels = new TopicClient("127.0.0.1:" + options.ports().kafka()).readKey(Topics.LABELS, imageId, 1,
                Duration.ofSeconds(30));
        assertThat(labels).hasSize(1);
        assertThat(EventCodec.decode(labels.get(0).value(), org.cxrscreen.contracts.LabelAssigned.class).label().name())
                .isEqualTo(label);
        JsonNode agreement = get("/api/v1/review/disagreements", results);
        JsonNode mine = null;
        for (JsonNode v : agreement) {
            if (v.get("modelVersion").asText().equals(version)) {
                mine = v;
            }
        }
        assertThat(mine).as("%s", agreement).isNotNull();
        assertThat(mine.get("disagreements").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(mine.get("confusion").get(modelLabel).get(label).asInt()).isGreaterThanOrEqualTo(1);
        JsonNode statistics = get("/api/v1/review/statistics", results);
        assertThat(statistics.get("reviewed").asLong()).as("%s", statistics).isGreaterThanOrEqualTo(1);
        assertThat(statistics.get("reviewedLabels").get(label).asLong()).as("%s", statistics)
                .isGreaterThanOrEqualTo(1);
        assertThat(statistics.get("agreement").findValuesAsText("modelVersion")).contains(version);
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + options.ports().results() + path))
                .header("Authorization", "Bearer " + reader).header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final List<String> ACCEPTED = List.of("dx-normal-12bit-mono2.dcm",
            "cr-pneumonia-12bit-mono1-implicit.dcm", "cr-covid-jpeg-baseline.dcm");
    private static final List<String> REJECTED = List.of("reject-ct-abdomen.dcm", "reject-lateral-view.dcm",
            "reject-no-pixel-data.dcm", "reject-not-dicom.dcm", "reject-truncated.dcm");

    @Test
    void storescuAndOrthancPushChestRadiographsThatAreDiagnosedAndNoPatientDataGetsPastTheIngest() throws Exception {
        Deidentifier pseudonyms = new Deidentifier(Stack.pseudonymKey(WORK));
        int dicomPort = options.ports().dicom();
        for (String name : ACCEPTED) {
            Processes.Result sent = Processes.run(Duration.ofSeconds(60), "storescu", "-v", "-aec", "CXRSCREEN",
                    "-aet", "PACS", name.contains("jpeg") ? "-xy" : "-x=", "localhost", String.valueOf(dicomPort),
                    SharedData.dicom(name).toString());
            assertThat(sent.output()).as(name).contains("Received Store Response (Success)");
            DicomObject ds = DicomReader.readPart10(SharedData.read(SharedData.dicom(name))).dataset();
            JsonNode result = awaitResult(pseudonyms.pseudonym(ds.string(Tags.SOP_INSTANCE_UID)));
            assertThat(result.get("image").get("originalFormat").asText()).isEqualTo("DICOM");
        }
        for (String name : REJECTED) {
            if (name.contains("not-dicom") || name.contains("truncated")) {
                continue; // storescu refuses to send these itself; they are sent over HTTP below
            }
            Processes.Result sent = Processes.run(Duration.ofSeconds(60), "storescu", "-v", "-aec", "CXRSCREEN",
                    "-aet", "PACS", "localhost", String.valueOf(dicomPort), SharedData.dicom(name).toString());
            assertThat(sent.output()).as(name).doesNotContain("Received Store Response (Success)");
        }
        for (String name : REJECTED) {
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + options.ports().ingest() + "/api/v1/images"))
                    .header("Content-Type", "application/dicom")
                    .POST(HttpRequest.BodyPublishers.ofFile(SharedData.dicom(name))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(name + ": " + refused.body()).isBetween(400, 499);
            assertThat(EventCodec.mapper().readTree(refused.body()).get("message").asText()).isNotBlank();
        }

        // cxr push over C-STORE: the accepted fixtures again (copies: stored, published once), the others refused
        java.io.ByteArrayOutputStream pushed = new java.io.ByteArrayOutputStream();
        int exit = Push.run(new String[] {"--c-store", "localhost:" + dicomPort,
            SharedData.dicom(ACCEPTED.get(0)).getParent().toString()}, new PrintStream(pushed, true, StandardCharsets.UTF_8));
        String pushLog = pushed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(pushLog).isEqualTo(1);
        for (String name : ACCEPTED) {
            assertThat(pushLog).contains(name + "  stored");
        }
        assertThat(pushLog).contains("reject-lateral-view.dcm  refused (status C001): view LL is not screened",
                "reject-no-pixel-data.dcm  refused (status C000): no pixel data",
                "reject-ct-abdomen.dcm  not sent: the peer accepts no presentation context",
                "reject-not-dicom.dcm  not sent: not a DICOM file", "reject-truncated.dcm  not sent",
                "3 of 8 sent and accepted");

        try (Orthanc orthanc = Orthanc.start(WORK.resolve("orthanc"), dicomPort, options.ports().ingest())) {
            int n = 0;
            for (String name : ACCEPTED) {
                String original = orthanc.upload(SharedData.read(SharedData.dicom(name)));
                for (String route : List.of("c-store", "stow")) {
                    String uid = "1.2.826.0.1.3680043.10.1137." + ProcessHandle.current().pid() + "." + (++n);
                    String copy = orthanc.upload(orthanc.withInstanceUid(original, uid));
                    if (route.equals("c-store")) {
                        orthanc.cStore(copy);
                    } else {
                        orthanc.stow(copy);
                    }
                    JsonNode result = awaitResult(pseudonyms.pseudonym(uid));
                    assertThat(result.get("image").get("originalFormat").asText()).as(name + " by " + route)
                            .isEqualTo("DICOM");
                }
            }
        }

        List<String> phi = new java.util.ArrayList<>();
        for (String name : ACCEPTED) {
            phi.addAll(identifiers(name));
        }
        for (String name : REJECTED) {
            if (!name.contains("not-dicom") && !name.contains("truncated")) {
                phi.addAll(identifiers(name));
            }
        }
        assertThat(phi).contains("Doe^John", "MRN10000233", "19620704", "ACC0233");
        // a control the search must find: the pseudonym of an image that went through
        String control = pseudonyms.pseudonym(DicomReader.readPart10(SharedData.read(SharedData.dicom(ACCEPTED.get(0))))
                .dataset().string(Tags.SOP_INSTANCE_UID));
        List<String> needles = new java.util.ArrayList<>(phi);
        needles.add(control);
        PatientDataSearch search = new PatientDataSearch(needles);
        search.kafka("127.0.0.1:" + options.ports().kafka());
        search.postgres("jdbc:postgresql://127.0.0.1:" + options.ports().postgres() + "/", "postgres", "postgres",
                List.of("ingest", "results"));
        search.files(WORK.resolve("logs"));
        assertThat(search.searched()).as("what was searched").isGreaterThan(1000);
        assertThat(search.found()).as("the control").anyMatch(f -> f.startsWith("'" + control + "' in kafka"))
                .anyMatch(f -> f.startsWith("'" + control + "' in postgres ingest"));
        assertThat(search.found().stream().filter(f -> !f.startsWith("'" + control + "'")).toList())
                .as("patient data found").isEmpty();
    }

    /** The identifying values of a fixture: patient name (and its parts), ID, birth date, accession number, UIDs. */
    private static List<String> identifiers(String name) {
        DicomObject ds = DicomReader.readPart10(SharedData.read(SharedData.dicom(name))).dataset();
        List<String> values = new java.util.ArrayList<>();
        for (int tag : new int[] {Tags.PATIENT_NAME, Tags.PATIENT_ID, Tags.PATIENT_BIRTH_DATE, Tags.ACCESSION_NUMBER,
            Tags.STUDY_INSTANCE_UID, Tags.SOP_INSTANCE_UID}) {
            String value = ds.string(tag);
            if (value != null && !value.isBlank()) {
                values.add(value);
                if (tag == Tags.PATIENT_NAME) {
                    for (String part : value.split("\\^")) {
                        if (part.length() >= 5) { // shorter parts would match binary data by chance
                            values.add(part);
                        }
                    }
                }
            }
        }
        return values;
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
                    + options.ports().results() + "/api/v1/results/" + imageId))
                    .header("Authorization", "Bearer " + reader).build(), HttpResponse.BodyHandlers.ofString());
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
                .header("Authorization", "Bearer " + reader).build(), HttpResponse.BodyHandlers.ofString());
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

    private static boolean bound(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
