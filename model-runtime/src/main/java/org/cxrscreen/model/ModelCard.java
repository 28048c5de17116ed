package org.cxrscreen.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.InputSpec;

/**
 * What a model directory says about its model ({@code model.json}): identity, architecture, the input
 * it expects, its output classes in output order, the ONNX file with its SHA-256, and the figures of
 * its evaluation and training run.
 *
 * @param name model name, the key of {@code models.published}
 * @param version unique version; every prediction names it
 * @param architecture network architecture id
 * @param createdAt when training finished
 * @param classes output classes in the order of the network's output
 * @param input input size, channels and normalisation
 * @param onnxFile the ONNX file name inside the directory
 * @param sha256 hex SHA-256 of the ONNX file
 * @param operatingPoint the decision threshold the model labels with, or null for the most probable class
 * @param members the members of an ensemble ({@code architecture@version}), in the order of its
 *     {@code member_probabilities} output; null for a single network
 * @param metrics the evaluation report on the held-out test split (JSON, see the README)
 * @param training how it was trained: data counts, epochs, options, time
 */
public record ModelCard(
        String name,
        String version,
        String architecture,
        Instant createdAt,
        List<ScreeningClass> classes,
        InputSpec input,
        String onnxFile,
        String sha256,
        OperatingPoint operatingPoint,
        List<String> members,
        JsonNode metrics,
        JsonNode training) {

    public ModelCard {
        if (name == null || version == null || architecture == null || classes == null || input == null
                || onnxFile == null || sha256 == null) {
            throw new IllegalArgumentException(
                    "a model card needs name, version, architecture, classes, input, onnxFile and sha256");
        }
        classes = List.copyOf(classes);
        members = members == null ? null : List.copyOf(members);
        metrics = metrics == null || metrics.isNull() ? null : metrics;
        training = training == null || training.isNull() ? null : training;
    }
}
