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
import org.cxrscreen.contracts.ModelPublished;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.contracts.Topics;
import org.cxrscreen.dicom.Deidentifier;
import org.cxrscreen.dicom.DicomObject;
import org.cxrscreen.dicom.DicomReader;
import org.cxrscreen.dicom.Tags;
import org.cxrscreen.model.FileTrees;
import org.cxrscreen.testsupport.Processes;
import org.cxrscreen.testsupport.DevTokens;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.testsupport.TopicClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end, as {@code cxr up} runs it: a real Kafka broker process, a real PostgreSQL, the four
 * services as packaged, and a starter model the training service trains on real images at its first
 * start. Real X-rays
 * are uploaded over HTTP, DICOM objects pushed by dcmtk's {@code storescu} and by Orthanc (C-STORE and
 * STOW-RS), and their diagnoses read back from the results API; then Kafka, PostgreSQL and every log
 * are searched for the fixtures' patient data. Last, the learning loop: radiologists' labels start a
 * scheduled fine-tuning run whose candidate the workers serve, a candidate trained on permuted labels is
 * refused, and a rollback brings the starter model back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Reviewed labels that start a scheduled fine-tuning run. */
    private static final int LOOP_LABELS = 12;
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
                Optional.of(SharedData.cxr()), Optional.empty(), 8, 80, Optional.empty(), "postgres", "postgres",
                new StackOptions.Ports(Stack.freePort(), Stack.freePort(), Stack.freePort(), Stack.freePort(),
                        Stack.freePort(), Stack.freePort(), Stack.freePort(), Stack.freePort()),
                // the schedule compressed to every 2 s; a gate for a test set of a few images per class
                Map.of("TRAINING_SCHEDULE_CRON", "*/2 * * * * ?",
                        "TRAINING_SCHEDULE_MIN_NEW_LABELS", String.valueOf(LOOP_LABELS),
                        "TRAINING_GATE_MACRO_F1_TOLERANCE", "0.15",
                        "TRAINING_GATE_COVID_RECALL_TARGET", "0.5"));
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
        String version = stack.model();
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
        assertThat(LOG.toString(StandardCharsets.UTF_8)).contains("(BOOTSTRAP, RUNNING)", "serving model " + version,
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
        setFlaggingThreshold(admin, 1.0);
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

    @Test
    @Order(Integer.MAX_VALUE)
    void reviewedLabelsFineTuneAModelTheWorkersServeAWorseOneIsRefusedAndARollbackServesTheEarlierVersion()
            throws Exception {
        String starter = stack.model();
        int training = options.ports().training();
        String admin = tokens.token("stack-admin", Duration.ofHours(1), "admin");
        setFlaggingThreshold(admin, 1.0);

        // labels in: real X-rays uploaded, predicted, flagged, claimed and labelled by a radiologist
        for (ScreeningClass c : ScreeningClass.values()) {
            for (Path file : SharedData.images(c, 40).subList(30, 30 + LOOP_LABELS / 3)) {
                String imageId = upload(SharedData.read(file)).get("imageId").asText();
                awaitResult(imageId);
                assertThat(post("/api/v1/review/cases/" + imageId + "/claim", null).statusCode()).isEqualTo(200);
                HttpResponse<String> reviewed = post("/api/v1/review/cases/" + imageId + "/reviews",
                        "{\"label\": \"" + c + "\"}");
                assertThat(reviewed.statusCode()).as(reviewed.body()).isEqualTo(201);
            }
        }

        // the schedule starts a run; the candidate passes the gate and is published
        JsonNode run = awaitRun(training, r -> r.get("kind").asText().equals("SCHEDULED"));
        assertThat(run.get("status").asText()).as("%s", run).isEqualTo("PROMOTED");
        String tuned = run.get("candidateVersion").asText();
        assertThat(tuned).isNotEqualTo(starter);
        assertThat(run.get("baseVersion").asText()).isEqualTo(starter);
        assertThat(run.get("data").get("newLabels").asInt()).isGreaterThanOrEqualTo(LOOP_LABELS);
        assertThat(run.get("serving").get("test").get("macroF1").isNumber()).as("%s", run).isTrue();
        assertThat(run.get("candidate").get("test").get("images").asLong())
                .isEqualTo(run.get("serving").get("test").get("images").asLong()).isPositive();
        assertThat(run.get("reasons").toString()).contains("macro-F1", "COVID-19 recall");
        ModelPublished published = awaitPublished(tuned);
        HttpResponse<byte[]> artifact = HTTP.send(HttpRequest.newBuilder(URI.create(published.artifactUrl())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(artifact.headers().firstValue("X-Model-SHA256")).contains(published.sha256());

        // the workers swap, and new predictions carry the new version
        awaitServed(tuned);
        String after = upload(SharedData.read(SharedData.images(ScreeningClass.COVID19, 45).get(44)))
                .get("imageId").asText();
        assertThat(awaitResult(after).get("latest").get("modelVersion").asText()).isEqualTo(tuned);

        // a candidate made worse on purpose, trained on permuted labels, is refused, and the record says why
        HttpResponse<String> started = send("POST", training, "/api/v1/runs", admin,
                "{\"shuffleLabels\": true, \"epochs\": 6, \"learningRate\": 0.01, \"reason\": \"gate drill\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        long drillId = EventCodec.mapper().readTree(started.body()).get("id").asLong();
        JsonNode drill = awaitRun(training, r -> r.get("id").asLong() == drillId);
        assertThat(drill.get("status").asText()).as("%s", drill).isEqualTo("REJECTED");
        assertThat(drill.get("decision").asText()).isEqualTo("REJECT");
        assertThat(drill.get("reasons").toString()).as("%s", drill).contains("FAILS");
        String refused = drill.get("candidateVersion").asText();
        // promotions are committed with the run's record, before they are sent: the registry's list is exact
        assertThat(get("/api/v1/models/promotions", training).findValuesAsText("version")).contains(tuned)
                .doesNotContain(refused);
        assertThat(publishedUpTo(tuned)).doesNotContain(refused);
        assertThat(servedVersion()).isEqualTo(tuned);

        // a rollback: only an admin may, and the workers serve the earlier version again
        assertThat(send("POST", training, "/api/v1/models/" + starter + "/promote", null, null).statusCode())
                .isEqualTo(401);
        assertThat(send("POST", training, "/api/v1/models/" + starter + "/promote", reader, null).statusCode())
                .isEqualTo(403);
        HttpResponse<String> rolledBack = send("POST", training, "/api/v1/models/" + starter + "/promote", admin, null);
        assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
        awaitServed(starter);
        String later = upload(SharedData.read(SharedData.images(ScreeningClass.NORMAL, 45).get(44)))
                .get("imageId").asText();
        assertThat(awaitResult(later).get("latest").get("modelVersion").asText()).isEqualTo(starter);
        JsonNode serving = get("/api/v1/models/serving", training);
        assertThat(serving.get("promotion").get("reason").asText()).isEqualTo("ROLLBACK");
        assertThat(serving.get("promotion").get("promotedBy").asText()).isEqualTo("stack-admin");
    }

    private static void setFlaggingThreshold(String admin, double threshold) throws Exception {
        HttpResponse<String> set = send("PUT", options.ports().results(), "/api/v1/admin/flagging", admin,
                "{\"confidenceThreshold\": " + threshold + "}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    }

    /** Waits until a run that {@code which} picks has finished; returns its record. */
    private static JsonNode awaitRun(int port, java.util.function.Predicate<JsonNode> which) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode run : get("/api/v1/runs", port)) {
                if (which.test(run)) {
                    last = run;
                    if (run.get("status").asText().matches("PROMOTED|REJECTED|FAILED")) {
                        return run;
                    }
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no such run finished within 10 minutes; last seen: " + last);
    }

    private static ModelPublished awaitPublished(String version) {
        return published(version).stream().filter(e -> e.version().equals(version)).findFirst()
                .orElseThrow(() -> new AssertionError(version + " was not published"));
    }

    /** The versions on the models topic, read from the start until {@code version} is among them. */
    private static List<String> publishedUpTo(String version) {
        List<String> versions = published(version).stream().map(ModelPublished::version).toList();
        assertThat(versions).contains(version);
        return versions;
    }

    /** The models topic from the start, read until {@code version} is on it or a minute has passed. */
    private static List<ModelPublished> published(String version) {
        return new TopicClient("127.0.0.1:" + options.ports().kafka()).readUntil(Topics.MODELS,
                all -> all.stream().anyMatch(r -> EventCodec.decode(r.value(), ModelPublished.class).version()
                        .equals(version)), Duration.ofSeconds(60)).stream()
                .map(r -> EventCodec.decode(r.value(), ModelPublished.class)).toList();
    }

    private static String servedVersion() throws Exception {
        return get("/api/v1/model", options.ports().inference()).get("version").asText();
    }

    private static void awaitServed(String version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (servedVersion().equals(version)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the inference service does not serve " + version + " after 120 s: "
                + servedVersion());
    }

    private static HttpResponse<String> send(String method, int port, String path, String token, String json)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST to the results service as the radiologist. */
    private static HttpResponse<String> post(String path, String json) throws Exception {
        return send("POST", options.ports().results(), path, reader, json);
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
            HttpResponse<String> response = send("GET", options.ports().results(), "/api/v1/results/" + imageId,
                    reader, null);
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

    /** A GET as the radiologist that must answer 200; its JSON. */
    private static JsonNode get(String path, int port) throws Exception {
        HttpResponse<String> response = send("GET", port, path, reader, null);
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
