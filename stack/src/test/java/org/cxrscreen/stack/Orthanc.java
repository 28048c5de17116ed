package org.cxrscreen.stack;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.cxrscreen.contracts.EventCodec;

/**
 * A real Orthanc (Debian's {@code orthanc} and {@code orthanc-dicomweb}) as a hospital PACS would be
 * set up to forward to the ingest: the ingest's SCP as a DICOM modality and its STOW-RS endpoint as a
 * DICOMweb server. Driven through Orthanc's REST API.
 */
final class Orthanc implements AutoCloseable {

    private static final String PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final String base;

    private Orthanc(Process process, String base) {
        this.process = process;
        this.base = base;
    }

    static Orthanc start(Path dir, int ingestDicomPort, int ingestHttpPort) throws Exception {
        Files.createDirectories(dir.resolve("storage"));
        int http = Stack.freePort();
        int dicom = Stack.freePort();
        String config = """
                {
                  "Name": "cxr-test-pacs",
                  "StorageDirectory": "%s",
                  "IndexDirectory": "%s",
                  "HttpPort": %d,
                  "DicomPort": %d,
                  "DicomAet": "ORTHANC",
                  "RemoteAccessAllowed": false,
                  "AuthenticationEnabled": false,
                  "KeepAlive": false,
                  "Plugins": ["%s"],
                  "DicomModalities": { "cxr": ["CXRSCREEN", "127.0.0.1", %d] },
                  "DicomWeb": { "Enable": true, "Root": "/dicom-web/",
                                "Servers": { "cxr": ["http://127.0.0.1:%d/dicom-web/"] } }
                }
                """.formatted(dir.resolve("storage"), dir.resolve("storage"), http, dicom, PLUGIN, ingestDicomPort,
                ingestHttpPort);
        Path file = dir.resolve("orthanc.json");
        Files.writeString(file, config);
        Process process = new ProcessBuilder("Orthanc", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("orthanc.log").toFile()).start();
        Orthanc orthanc = new Orthanc(process, "http://127.0.0.1:" + http);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Orthanc stopped: " + Files.readString(dir.resolve("orthanc.log")));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(orthanc.base + "/system")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return orthanc;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        orthanc.close();
        throw new IllegalStateException("Orthanc did not start within 30 s");
    }

    /** Stores a DICOM file in Orthanc; its Orthanc id. */
    String upload(byte[] file) throws Exception {
        return post("/instances", HttpRequest.BodyPublishers.ofByteArray(file), "application/dicom").get("ID").asText();
    }

    /** A copy of a stored instance with another SOP instance UID, as a file. */
    byte[] withInstanceUid(String id, String uid) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/instances/" + id
                + "/modify")).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"Replace\": {\"SOPInstanceUID\": \"" + uid + "\"}, \"Force\": true}"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Orthanc could not modify " + id + ": " + response.statusCode());
        }
        return response.body();
    }

    /** Orthanc sends the instance by C-STORE to the ingest; fails unless it was stored. */
    void cStore(String id) throws Exception {
        JsonNode answer = post("/modalities/cxr/store", HttpRequest.BodyPublishers.ofString(
                "{\"Resources\": [\"" + id + "\"], \"Synchronous\": true}"), "application/json");
        if (answer.path("FailedInstancesCount").asInt(-1) != 0 || answer.path("InstancesCount").asInt() != 1) {
            throw new IllegalStateException("Orthanc's C-STORE failed: " + answer);
        }
    }

    /** Orthanc sends the instance by STOW-RS to the ingest; fails unless it was stored. */
    void stow(String id) throws Exception {
        post("/dicom-web/servers/cxr/stow", HttpRequest.BodyPublishers.ofString(
                "{\"Resources\": [\"" + id + "\"], \"Synchronous\": true}"), "application/json");
    }

    private JsonNode post(String path, HttpRequest.BodyPublisher body, String type) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", type).timeout(Duration.ofSeconds(60)).POST(body).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Orthanc " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body().isBlank() ? EventCodec.mapper().createObjectNode()
                : EventCodec.mapper().readTree(response.body());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
