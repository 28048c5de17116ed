package org.cxrscreen.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.imaging.Preprocessor;

/**
 * A small model directory written in code (shipped in this module's test jar for the services'
 * tests): a network whose output any test can recompute in Java.
 */
public final class TestModels {

    public static final String VERSION = "test-1";
    private static final List<ScreeningClass> CLASSES =
            List.of(ScreeningClass.COVID19, ScreeningClass.NORMAL, ScreeningClass.PNEUMONIA);
    private static final float[] WEIGHTS = {0.9f, -0.4f, 0.2f, -0.3f, 0.8f, 0.1f, 0.5f, 0.5f, -0.7f};
    private static final float[] BIAS = {0.1f, -0.2f, 0.05f};

    private TestModels() {
    }

    /** Global average pool, a 3x3 linear layer, softmax: probabilities any reader can recompute. */
    public static ModelCard writeAveraging(Path dir) throws IOException {
        return writeAveraging(dir, "averaging", VERSION, BIAS);
    }

    /** The same network with another name, version and bias: a second model whose output differs. */
    public static ModelCard writeAveraging(Path dir, String name, String version, float[] bias) throws IOException {
        OnnxGraph graph = new OnnxGraph("averaging");
        String x = graph.input("input", -1, 3, 224, 224);
        String pooled = graph.node("GlobalAveragePool", new String[] {x});
        String flat = graph.node("Flatten", new String[] {pooled}, OnnxGraph.integer("axis", 1));
        String w = graph.initializer("w", WEIGHTS, 3, 3);
        String b = graph.initializer("b", bias, 3);
        String logits = graph.node("Gemm", new String[] {flat, w, b}, OnnxGraph.integer("transB", 1));
        String probabilities = graph.node("Softmax", new String[] {logits}, OnnxGraph.integer("axis", 1));
        graph.output("probabilities", probabilities, -1, 3);
        Files.createDirectories(dir);
        graph.write(dir.resolve(ModelDirectory.ONNX), "test", "1");
        ModelCard card = new ModelCard(name, version, "averaging", Instant.parse("2026-11-23T00:00:00Z"),
                CLASSES, InputSpec.DEFAULT, ModelDirectory.ONNX, ModelDirectory.sha256(dir.resolve(ModelDirectory.ONNX)),
                null, null, null, null);
        ModelDirectory.write(dir, card);
        return card;
    }

    public static float[] expectedAveraging(GrayImage image) {
        return expectedAveraging(image, BIAS);
    }

    /** What {@link #writeAveraging(Path, String, String, float[])} with {@code bias} outputs for an image. */
    public static float[] expectedAveraging(GrayImage image, float[] bias) {
        float[] tensor = new Preprocessor(InputSpec.DEFAULT).preprocess(image);
        int plane = 224 * 224;
        double[] mean = new double[3];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                mean[c] += tensor[c * plane + i];
            }
            mean[c] /= plane;
        }
        double[] logits = new double[3];
        double max = Double.NEGATIVE_INFINITY;
        for (int o = 0; o < 3; o++) {
            logits[o] = bias[o];
            for (int c = 0; c < 3; c++) {
                logits[o] += WEIGHTS[o * 3 + c] * mean[c];
            }
            max = Math.max(max, logits[o]);
        }
        double sum = 0;
        for (int o = 0; o < 3; o++) {
            sum += Math.exp(logits[o] - max);
        }
        float[] p = new float[3];
        for (int o = 0; o < 3; o++) {
            p[o] = (float) (Math.exp(logits[o] - max) / sum);
        }
        return p;
    }
}
