package org.cxrscreen.training;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.nio.file.Files;
import org.cxrscreen.model.ModelArchive;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import java.nio.file.Path;
import org.cxrscreen.model.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry API over a models folder ({@code target/test-registry}) holding a model directory.
 * The model is written in code, not trained: PyTorch's native library can only be loaded by one class
 * loader of the test JVM, and the training tests load it outside Quarkus.
 */
@QuarkusTest
class ModelRegistryResourceTest {

    private static ModelCard card;

    @BeforeAll
    static void writeOne() throws Exception {
        card = TestModels.writeAveraging(Path.of("target", "test-registry", "m1"));
    }

    @Test
    void listsTheTrainedVersion() {
        given().when().get("/api/v1/models")
                .then().statusCode(200)
                .body("version", hasItem(card.version()))
                .body("find { it.version == '" + card.version() + "' }.sha256", equalTo(card.sha256()));
    }

    @Test
    void servesTheCardAndTheArtifactWithItsChecksum() throws Exception {
        given().when().get("/api/v1/models/" + card.version())
                .then().statusCode(200)
                .body("architecture", equalTo("averaging"))
                .body("classes", equalTo(java.util.List.of("COVID19", "NORMAL", "PNEUMONIA")))
                .body("input.size", equalTo(224));

        var response = given().when().get("/api/v1/models/" + card.version() + "/artifact")
                .then().statusCode(200)
                .header("X-Model-SHA256", card.sha256())
                .contentType("application/zip")
                .extract();
        byte[] archive = response.asByteArray();
        java.util.List<String> entries = new java.util.ArrayList<>();
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(archive))) {
            for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.add(entry.getName());
            }
        }
        assertThat(entries).containsExactly(ModelDirectory.CARD, card.onnxFile());
        Path unpacked = Path.of("target", "test-artifact-" + card.version());
        Files.createDirectories(unpacked);
        ModelArchive.extract(new java.io.ByteArrayInputStream(archive), unpacked, 1 << 30);
        assertThat(ModelDirectory.read(unpacked)).isEqualTo(card);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(unpacked.resolve(card.onnxFile()))))).isEqualTo(card.sha256());
    }

    @Test
    void anUnknownVersionIs404WithAReason() {
        given().when().get("/api/v1/models/no-such-version/artifact")
                .then().statusCode(404)
                .body("error", equalTo("model_not_found"))
                .body("message", equalTo("no model version 'no-such-version'"));
    }
}
