package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.ImageDecoder;
import org.cxrscreen.imaging.ImageLimits;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.FileTrees;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.training.cli.CliAccess;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.data.LabelledFolder;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.data.Split;
import org.cxrscreen.training.data.SplitFile;
import org.cxrscreen.training.ml.Architecture;
import org.cxrscreen.training.ml.Network;
import org.junit.jupiter.api.Test;

/** {@code cxr train} and {@code cxr evaluate} on real images, and the ONNX export held to PyTorch. */
class TrainingCliTest {

    @Test
    void trainingWritesAVerifiedModelDirectoryAndPrintsProgress() {
        Path dir = TinyModel.dir();

        ModelCard card = ModelDirectory.read(dir);
        assertThat(card.name()).isEqualTo("cxr-classifier");
        assertThat(card.architecture()).isEqualTo("compact-cnn-s");
        assertThat(card.classes()).containsExactly(ScreeningClass.values());
        assertThat(card.version()).matches("\\d{8}-\\d{6}-" + card.sha256().substring(0, 8));
        assertThat(card.metrics().get("images").asLong()).isPositive();
        assertThat(card.metrics().get("macroF1").asDouble()).isBetween(0.0, 1.0);
        assertThat(card.training().get("onnxParityMaxAbsDiff").asDouble()).isLessThanOrEqualTo(1e-4);
        assertThat(dir.resolve("splits.csv")).exists();
        assertThat(dir.resolve(Network.PARAMETERS)).exists();
        assertThat(dir.resolve("report.json")).exists();
        assertThat(dir.resolve("report.html")).content().contains("<svg", card.version());
        assertThat(card.operatingPoint()).isNotNull();
        assertThat(card.operatingPoint().screeningClass()).isEqualTo(ScreeningClass.COVID19);
        assertThat(card.operatingPoint().validationRecall()).isGreaterThanOrEqualTo(0.95);
        assertThat(card.metrics().get("operatingPoint").get("threshold").asDouble())
                .isEqualTo(card.operatingPoint().threshold());
        assertThat(TinyModel.output())
                .contains("epoch 1/2", "epoch 2/2", "val macro-F1", "left", "split by patient")
                .contains("test part, as served (ONNX Runtime)", "operating point: COVID19 from p >=");
    }

    @Test
    void onnxRuntimeGivesWhatPyTorchGivesOnRealImages() throws Exception {
        Path dir = TinyModel.dir();
        ModelCard card = ModelDirectory.read(dir);
        Preprocessor preprocessor = new Preprocessor(card.input());
        ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
        List<Path> files = new java.util.ArrayList<>();
        for (ScreeningClass c : ScreeningClass.values()) {
            files.addAll(SharedData.images(c, 4));
        }
        int n = files.size();
        int length = card.input().tensorLength();
        float[] batch = new float[n * length];
        for (int i = 0; i < n; i++) {
            preprocessor.toTensor(FittedImages.fit(SharedData.read(files.get(i)), preprocessor, decoder), batch,
                    i * length);
        }
        Shape shape = new Shape(n, card.input().channels(), card.input().size(), card.input().size());

        float[] pytorchLogits;
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Network network = new Network(Architecture.byId(card.architecture()).layers(card.classes().size()));
            network.loadParameters(dir.resolve(Network.PARAMETERS), manager, card.input());
            NDArray x = manager.create(batch, shape);
            pytorchLogits = network.block().forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow().toFloatArray();
        }

        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optEngine(OnnxClassifier.ENGINE)
                .optModelPath(dir.resolve(ModelDirectory.ONNX))
                .optTranslator(new NoopTranslator(null))
                .build();
        float[] ortProbabilities;
        float[] ortLogits;
        try (ZooModel<NDList, NDList> model = criteria.loadModel();
                Predictor<NDList, NDList> predictor = model.newPredictor()) {
            NDList out = predictor.predict(new NDList(model.getNDManager().create(batch, shape)));
            ortProbabilities = out.get(0).toFloatArray();
            ortLogits = out.get(1).toFloatArray();
        }

        assertThat(ortLogits).hasSize(n * 3);
        for (int i = 0; i < ortLogits.length; i++) {
            assertThat(ortLogits[i]).isCloseTo(pytorchLogits[i], within(1e-4f));
        }
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 3; k++) {
                max = Math.max(max, pytorchLogits[i * 3 + k]);
            }
            double sum = 0;
            for (int k = 0; k < 3; k++) {
                sum += Math.exp(pytorchLogits[i * 3 + k] - max);
            }
            for (int k = 0; k < 3; k++) {
                double p = Math.exp(pytorchLogits[i * 3 + k] - max) / sum;
                assertThat((double) ortProbabilities[i * 3 + k]).isCloseTo(p, within(1e-4));
            }
        }
    }

    @Test
    void evaluateReportsOnTheHeldOutPartAndWritesDocumentedJson() throws Exception {
        Path dir = TinyModel.dir();
        Path json = Path.of("target", "test-models", "evaluation.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int status = CliAccess.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of("evaluate",
                "--model", dir.toString(), "--data", SharedData.cxr().toString(), "--split", "test",
                "--json", json.toString(), "--html", json.resolveSibling("evaluation.html").toString()));

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed).isZero();
        assertThat(printed).contains("precision", "recall", "macro-F1", "confusion matrix", "COVID19");
        List<LabelledImage> testPart = SplitFile.select(dir.resolve(SplitFile.NAME), SharedData.cxr(),
                Split.Part.TEST, LabelledFolder.read(SharedData.cxr()));
        JsonNode report = ModelDirectory.json().readTree(Files.readAllBytes(json));
        assertThat(report.get("images").asInt()).isEqualTo(testPart.size());
        assertThat(report.get("model").asText()).isEqualTo(ModelDirectory.read(dir).version());
        assertThat(json.resolveSibling("evaluation.html")).content().contains("reliability diagram");
        for (String key : List.of("accuracy", "macroF1", "perClass", "classes", "confusionMatrix", "rocAuc",
                "calibration", "operatingPoint", "bySource", "misclassified", "skipped")) {
            assertThat(report.has(key)).as(key).isTrue();
        }
        JsonNode covid = report.get("perClass").get("COVID19");
        for (String key : List.of("precision", "recall", "f1", "support")) {
            assertThat(covid.has(key)).as(key).isTrue();
        }
        long total = 0;
        for (JsonNode row : report.get("confusionMatrix")) {
            for (JsonNode cell : row) {
                total += cell.asLong();
            }
        }
        assertThat(total).isEqualTo(testPart.size());
        assertThat(report.get("macroF1").asDouble())
                .isCloseTo(ModelDirectory.read(dir).metrics().get("macroF1").asDouble(), within(1e-9));
    }

    @Test
    void crossValidationTrainsAModelPerFoldAndReportsMeanAndSd() throws Exception {
        Path out = Path.of("target", "test-models", "cv");
        FileTrees.delete(out);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int status = CliAccess.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of("train",
                "--data", SharedData.cxr().toString(), "--out", out.toString(), "--folds", "3", "--epochs", "1",
                "--limit-per-class", "15", "--batch-size", "16", "--events", out.resolve("events.jsonl").toString()));

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed).isZero();
        assertThat(printed).contains("fold 1/3", "fold 3/3", "3-fold cross-validation", "macroF1");
        for (int fold = 1; fold <= 3; fold++) {
            assertThat(ModelDirectory.isModel(out.resolve("fold-" + fold))).isTrue();
        }
        JsonNode summary = ModelDirectory.json().readTree(out.resolve("cross-validation.json").toFile());
        assertThat(summary.get("folds").asInt()).isEqualTo(3);
        assertThat(summary.get("figures").get("macroF1").get("values")).hasSize(3);
        assertThat(summary.get("figures").get("macroF1").has("sd")).isTrue();
        List<String> events = Files.readAllLines(out.resolve("events.jsonl"));
        assertThat(events.stream().filter(e -> e.contains("\"type\":\"epoch\"")).count()).isEqualTo(3);
        assertThat(ModelDirectory.json().readTree(events.get(0)).has("time")).isTrue();
    }

    @Test
    void theOperatingPointCanBeChosenAgainForAnotherSensitivity() throws Exception {
        Path copy = Path.of("target", "test-models", "tiny-threshold");
        FileTrees.delete(copy);
        Files.createDirectories(copy);
        try (var files = Files.list(TinyModel.dir())) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        ModelCard before = ModelDirectory.read(copy);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int status = CliAccess.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of("threshold",
                "--model", copy.toString(), "--data", SharedData.cxr().toString(), "--target-recall", "0.5"));

        assertThat(status).as(bytes.toString(StandardCharsets.UTF_8)).isZero();
        ModelCard after = ModelDirectory.read(copy);
        assertThat(after.version()).isEqualTo(before.version());
        assertThat(after.sha256()).isEqualTo(before.sha256());
        assertThat(after.operatingPoint().targetRecall()).isEqualTo(0.5);
        assertThat(after.operatingPoint().validationRecall()).isGreaterThanOrEqualTo(0.5);
        assertThat(ModelDirectory.json().readTree(copy.resolve("report.json").toFile()).get("operatingPoint")
                .get("targetRecall").asDouble()).isEqualTo(0.5);
    }

    @Test
    void badCommandLinesExplainThemselves() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        assertThat(CliAccess.run(out, List.of("train", "--data", "x"))).isEqualTo(2);
        assertThat(CliAccess.run(out, List.of("train", "--data", "x", "--out", "y", "--epochs", "many"))).isEqualTo(2);
        assertThat(CliAccess.run(out, List.of("evaluate", "--model", "target/none", "--data",
                SharedData.cxr().toString()))).isEqualTo(1);

        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("--out is required")
                .contains("--epochs must be a whole number, was 'many'")
                .contains("model.json is missing");
    }
}
