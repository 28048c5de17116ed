package org.cxrscreen.training.ml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.model.OperatingPoint;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.data.LabelledFolder;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.data.Split;
import org.cxrscreen.training.data.SplitFile;
import org.cxrscreen.training.domain.EvaluationHtml;
import org.cxrscreen.training.domain.EvaluationReport;
import org.cxrscreen.training.domain.OperatingPoints;

/**
 * {@code cxr threshold}: chooses a model's COVID-19 operating point again on its validation part (a
 * hospital may want another sensitivity), then rewrites its card and its test report. The ONNX file,
 * and so the version, do not change.
 */
public final class OperatingPointTuner {

    private final int threads;
    private final TrainingProgress progress;

    public OperatingPointTuner(int threads, TrainingProgress progress) {
        this.threads = threads;
        this.progress = progress;
    }

    public ModelCard tune(Path modelDir, Path data, double targetRecall) throws IOException {
        ModelCard card = ModelDirectory.read(modelDir);
        List<LabelledImage> images = LabelledFolder.read(data);
        Path splits = modelDir.resolve(SplitFile.NAME);
        org.cxrscreen.imaging.Preprocessor preprocessor = new org.cxrscreen.imaging.Preprocessor(card.input());
        FittedImages validation = FittedImages.load(SplitFile.select(splits, data, Split.Part.VALIDATION, images),
                preprocessor, threads);
        FittedImages test = FittedImages.load(SplitFile.select(splits, data, Split.Part.TEST, images), preprocessor,
                threads);
        Map<String, String> options = Map.of("intraOpNumThreads", String.valueOf(threads));
        Optional<OperatingPoint> point;
        List<ClassProbabilities> testOutputs;
        try (OnnxClassifier classifier = OnnxClassifier.load(modelDir, options)) {
            point = OperatingPoints.select(validation.images().stream().map(LabelledImage::label).toList(),
                    Evaluator.predict(classifier, validation), ScreeningClass.COVID19, targetRecall);
            testOutputs = Evaluator.predict(classifier, test);
        }
        OperatingPoint chosen = point.orElse(null);
        List<ClassProbabilities> relabelled = testOutputs.stream()
                .map(o -> new ClassProbabilities(o.classes(), o.probabilities(), chosen, o.members())).toList();
        ModelCard withPoint = new ModelCard(card.name(), card.version(), card.architecture(), card.createdAt(),
                card.classes(), card.input(), card.onnxFile(), card.sha256(), chosen, card.members(), null,
                card.training());
        EvaluationReport report = Evaluator.report(withPoint, test, relabelled, data, data + " (test part)");
        ModelCard done = new ModelCard(card.name(), card.version(), card.architecture(), card.createdAt(),
                card.classes(), card.input(), card.onnxFile(), card.sha256(), chosen, card.members(),
                ModelDirectory.json().valueToTree(report), card.training());
        ModelDirectory.write(modelDir, done);
        ModelDirectory.json().writeValue(modelDir.resolve(ClassifierTrainer.REPORT_JSON).toFile(), report);
        Files.writeString(modelDir.resolve(ClassifierTrainer.REPORT_HTML), EvaluationHtml.render(report));
        progress.message(chosen == null ? "no COVID19 image in the validation part: no operating point"
                : String.format(java.util.Locale.ROOT, "operating point: COVID19 from p >= %.4f (recall %.3f, "
                        + "precision %.3f on validation; target %.2f)", chosen.threshold(), chosen.validationRecall(),
                        chosen.validationPrecision(), targetRecall));
        progress.message("test part, as served (ONNX Runtime):\n" + report.table());
        return done;
    }
}
