package org.cxrscreen.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.testsupport.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a small network written with {@link OnnxGraph} on ONNX Runtime through {@link OnnxClassifier}
 * and holds its output to the same arithmetic done in Java on the shared preprocessing.
 */
class OnnxClassifierTest {

    private static final List<ScreeningClass> CLASSES =
            List.of(ScreeningClass.COVID19, ScreeningClass.NORMAL, ScreeningClass.PNEUMONIA);
    private static final float[] WEIGHTS = {0.9f, -0.4f, 0.2f, -0.3f, 0.8f, 0.1f, 0.5f, 0.5f, -0.7f};
    private static final float[] BIAS = {0.1f, -0.2f, 0.05f};

    @TempDir
    Path dir;

    @Test
    void classifiesRealImagesAsTheNetworkDefinesSingleAndBatched() throws Exception {
        writeAveragingModel(dir);
        ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
        List<GrayImage> images = List.of(
                CanonicalImages.fromEncoded(SharedData.read(SharedData.images(ScreeningClass.COVID19, 1).get(0)), decoder),
                CanonicalImages.fromEncoded(SharedData.read(SharedData.images(ScreeningClass.NORMAL, 1).get(0)), decoder));

        try (OnnxClassifier classifier = OnnxClassifier.load(dir, Map.of("intraOpNumThreads", "1"));
                Predictor<GrayImage, ClassProbabilities> predictor = classifier.newPredictor()) {
            List<ClassProbabilities> batch = predictor.batchPredict(images);
            for (int i = 0; i < images.size(); i++) {
                float[] expected = expected(images.get(i));
                ClassProbabilities single = predictor.predict(images.get(i));
                assertThat(single.probabilities()).containsExactly(expected, within(1e-5f));
                assertThat(batch.get(i).probabilities()).containsExactly(expected, within(1e-5f));
                assertThat(single.classes()).isEqualTo(CLASSES);
            }
            assertThat(classifier.card().version()).isEqualTo("test-1");
        }
    }

    @Test
    void aModelWhoseFileDoesNotMatchItsChecksumIsRefused() throws IOException {
        writeAveragingModel(dir);
        Files.write(dir.resolve(ModelDirectory.ONNX), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

        assertThatThrownBy(() -> OnnxClassifier.load(dir, Map.of()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("has SHA-256")
                .hasMessageContaining("but the card says");
    }

    @Test
    void aDirectoryWithoutACardIsNotAModel() {
        assertThat(ModelDirectory.isModel(dir)).isFalse();
        assertThatThrownBy(() -> ModelDirectory.read(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.json is missing");
    }

    @Test
    void theCardRoundTrips() throws IOException {
        ModelCard written = writeAveragingModel(dir);

        assertThat(ModelDirectory.read(dir)).isEqualTo(written);
    }

    /** Global average pool, a 3x3 linear layer, softmax: probabilities any reader can recompute. */
    private static ModelCard writeAveragingModel(Path dir) throws IOException {
        OnnxGraph graph = new OnnxGraph("averaging");
        String x = graph.input("input", -1, 3, 224, 224);
        String pooled = graph.node("GlobalAveragePool", new String[] {x});
        String flat = graph.node("Flatten", new String[] {pooled}, OnnxGraph.integer("axis", 1));
        String w = graph.initializer("w", WEIGHTS, 3, 3);
        String b = graph.initializer("b", BIAS, 3);
        String logits = graph.node("Gemm", new String[] {flat, w, b}, OnnxGraph.integer("transB", 1));
        String probabilities = graph.node("Softmax", new String[] {logits}, OnnxGraph.integer("axis", 1));
        graph.output("probabilities", probabilities, -1, 3);
        Files.createDirectories(dir);
        graph.write(dir.resolve(ModelDirectory.ONNX), "test", "1");
        ModelCard card = new ModelCard("averaging", "test-1", "averaging", Instant.parse("2026-11-23T00:00:00Z"),
                CLASSES, InputSpec.DEFAULT, ModelDirectory.ONNX, ModelDirectory.sha256(dir.resolve(ModelDirectory.ONNX)),
                null, null);
        ModelDirectory.write(dir, card);
        return card;
    }

    private static float[] expected(GrayImage image) {
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
            logits[o] = BIAS[o];
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
