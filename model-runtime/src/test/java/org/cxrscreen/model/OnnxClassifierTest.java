package org.cxrscreen.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
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

    @TempDir
    Path dir;

    @Test
    void classifiesRealImagesAsTheNetworkDefinesSingleAndBatched() throws Exception {
        TestModels.writeAveraging(dir);
        ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
        List<GrayImage> images = List.of(
                CanonicalImages.fromEncoded(SharedData.read(SharedData.images(ScreeningClass.COVID19, 1).get(0)), decoder),
                CanonicalImages.fromEncoded(SharedData.read(SharedData.images(ScreeningClass.NORMAL, 1).get(0)), decoder));

        try (OnnxClassifier classifier = OnnxClassifier.load(dir, Map.of("intraOpNumThreads", "1"));
                Predictor<GrayImage, ClassProbabilities> predictor = classifier.newPredictor()) {
            List<ClassProbabilities> batch = predictor.batchPredict(images);
            for (int i = 0; i < images.size(); i++) {
                float[] expected = TestModels.expectedAveraging(images.get(i));
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
        TestModels.writeAveraging(dir);
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
        ModelCard written = TestModels.writeAveraging(dir);

        assertThat(ModelDirectory.read(dir)).isEqualTo(written);
    }
}
