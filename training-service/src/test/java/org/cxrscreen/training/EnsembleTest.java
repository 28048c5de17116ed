package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.inference.Predictor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.FileTrees;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.training.cli.CliAccess;
import org.cxrscreen.training.data.FittedImages;
import org.junit.jupiter.api.Test;

/**
 * FLANNEL's ensemble of two real (small) models: one ONNX graph whose member outputs are each
 * member's own output, whose combination is what the learned weights give, and which reports member
 * disagreement.
 */
class EnsembleTest {

    @Test
    void membersAreCombinedIntoOneGraphThatKeepsEachMembersView() throws Exception {
        Path first = TinyModel.dir();
        Path second = Path.of("target", "test-models", "tiny-seed-8");
        Path ensemble = Path.of("target", "test-models", "ensemble");
        FileTrees.delete(second);
        FileTrees.delete(ensemble);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(CliAccess.run(out, List.of("train", "--data", SharedData.cxr().toString(), "--out",
                second.toString(), "--epochs", "1", "--limit-per-class", "40", "--batch-size", "16", "--seed", "8")))
                .as(bytes.toString(StandardCharsets.UTF_8)).isZero();

        int status = CliAccess.run(out, List.of("ensemble", "--members", first + "," + second, "--data",
                SharedData.cxr().toString(), "--out", ensemble.toString()));

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed).isZero();
        assertThat(printed).contains("learned member weights", "members disagree on");
        ModelCard card = ModelDirectory.read(ensemble);
        ModelCard a = ModelDirectory.read(first);
        ModelCard b = ModelDirectory.read(second);
        assertThat(card.architecture()).isEqualTo("ensemble");
        assertThat(card.members()).containsExactly("compact-cnn-s@" + a.version(), "compact-cnn-s@" + b.version());
        assertThat(card.training().get("onnxParityMaxAbsDiff").asDouble()).isLessThan(1e-5);
        assertThat(card.metrics().get("members")).hasSize(2);
        assertThat(card.metrics().get("memberDisagreement").asDouble()).isBetween(0.0, 1.0);

        Preprocessor preprocessor = new Preprocessor(card.input());
        ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
        List<GrayImage> images = List.of(
                FittedImages.fit(SharedData.read(SharedData.images(ScreeningClass.COVID19, 1).get(0)), preprocessor,
                        decoder),
                FittedImages.fit(SharedData.read(SharedData.images(ScreeningClass.NORMAL, 1).get(0)), preprocessor,
                        decoder));
        List<ClassProbabilities> combined = predict(ensemble, images);
        List<ClassProbabilities> alone = predict(first, images);
        List<ClassProbabilities> alone2 = predict(second, images);
        float[][] alpha = ModelDirectory.json().treeToValue(card.training().get("weights"), float[][].class);
        for (int i = 0; i < images.size(); i++) {
            ClassProbabilities e = combined.get(i);
            assertThat(e.members()).hasSize(2);
            assertThat(e.members().get(0).probabilities()).containsExactly(alone.get(i).probabilities(), within(1e-5f));
            assertThat(e.members().get(1).probabilities()).containsExactly(alone2.get(i).probabilities(), within(1e-5f));
            float[] expected = new float[3];
            float total = 0;
            for (int c = 0; c < 3; c++) {
                expected[c] = alpha[0][c] * alone.get(i).probabilities()[c] + alpha[1][c] * alone2.get(i).probabilities()[c];
                total += expected[c];
            }
            for (int c = 0; c < 3; c++) {
                assertThat(e.probabilities()[c]).isCloseTo(expected[c] / total, within(1e-5f));
            }
        }
    }

    @Test
    void membersTrainedOnDifferentSplitsAreRefused() {
        Path other = Path.of("target", "test-models", "tiny-other-split");
        FileTrees.delete(other);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertThat(CliAccess.run(out, List.of("train", "--data", SharedData.cxr().toString(), "--out",
                other.toString(), "--epochs", "1", "--limit-per-class", "40", "--split-seed", "5"))).isZero();

        int status = CliAccess.run(out, List.of("ensemble", "--members", TinyModel.dir() + "," + other, "--data",
                SharedData.cxr().toString(), "--out", "target/test-models/never"));

        assertThat(status).isEqualTo(1);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("trained on different splits", "--split-seed");
    }

    private static List<ClassProbabilities> predict(Path model, List<GrayImage> images) throws Exception {
        try (OnnxClassifier classifier = OnnxClassifier.load(model, Map.of());
                Predictor<GrayImage, ClassProbabilities> predictor = classifier.newPredictor()) {
            return predictor.batchPredict(images);
        }
    }
}
