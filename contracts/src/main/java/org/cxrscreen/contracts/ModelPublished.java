package org.cxrscreen.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A model version that passed the promotion gate and is the one to serve. Published on
 * {@link Topics#MODELS}, keyed by {@code modelName}. Workers download {@code artifactUrl} and check
 * it against {@code sha256} before they load it.
 *
 * @param classes output classes in the order of the model's output
 * @param metrics evaluation figures (macro-F1, per-class recall, ...) by name
 * @param sha256 hex SHA-256 of the ONNX file
 */
public record ModelPublished(
        UUID eventId,
        Instant occurredAt,
        int schemaVersion,
        String modelName,
        String version,
        String architecture,
        List<ScreeningClass> classes,
        Map<String, Double> metrics,
        String sha256,
        String artifactUrl) implements Event {

    public static final int SCHEMA_VERSION = 1;

    public ModelPublished {
        Validation.envelope(eventId, occurredAt, schemaVersion);
        Validation.notBlank(modelName, "modelName");
        Validation.notBlank(version, "version");
        Validation.notBlank(architecture, "architecture");
        if (classes == null || classes.isEmpty()) {
            throw new IllegalArgumentException("classes are required");
        }
        classes = List.copyOf(classes);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits");
        }
        Validation.notBlank(artifactUrl, "artifactUrl");
    }
}
