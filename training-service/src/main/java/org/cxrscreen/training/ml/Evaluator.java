package org.cxrscreen.training.ml;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.domain.EvaluationReport;

/**
 * Evaluates a model directory as it is served, on ONNX Runtime through the same translator (and
 * operating point) the inference service uses, so the figures describe the artifact that runs.
 */
public final class Evaluator {

    private static final int BATCH = 32;

    private Evaluator() {
    }

    /** The classifier's outputs for the images, in order. */
    public static List<ClassProbabilities> predict(OnnxClassifier classifier, FittedImages images) {
        List<ClassProbabilities> outputs = new ArrayList<>(images.size());
        try (Predictor<GrayImage, ClassProbabilities> predictor = classifier.newPredictor()) {
            for (int start = 0; start < images.size(); start += BATCH) {
                List<GrayImage> batch = new ArrayList<>(BATCH);
                for (int i = start; i < Math.min(images.size(), start + BATCH); i++) {
                    batch.add(images.fitted(i));
                }
                outputs.addAll(predictor.batchPredict(batch));
            }
        } catch (TranslateException e) {
            throw new IllegalStateException("model " + classifier.card().version() + " failed: " + e.getMessage(), e);
        }
        return outputs;
    }

    /**
     * The report on {@code images}; file names in it are relative to {@code root}.
     *
     * @param description what was evaluated, for the report
     */
    public static EvaluationReport evaluate(OnnxClassifier classifier, FittedImages images, Path root,
            String description) {
        return report(classifier.card(), images, predict(classifier, images), root, description);
    }

    /** The report from outputs already computed. */
    public static EvaluationReport report(ModelCard card, FittedImages images, List<ClassProbabilities> outputs,
            Path root, String description) {
        List<EvaluationReport.Scored> scored = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            LabelledImage image = images.image(i);
            scored.add(new EvaluationReport.Scored(relative(root, image.file()), image.source(), image.label(),
                    outputs.get(i)));
        }
        List<String> skipped = images.failures().stream().map(f -> relative(root, f.image().file()) + ": " + f.reason())
                .toList();
        return EvaluationReport.of(card.version(), description, card.classes(), scored, card.operatingPoint(), skipped);
    }

    private static String relative(Path root, Path file) {
        Path absoluteRoot = root.toAbsolutePath().normalize();
        Path absoluteFile = file.toAbsolutePath().normalize();
        return absoluteFile.startsWith(absoluteRoot) ? absoluteRoot.relativize(absoluteFile).toString()
                : file.toString();
    }
}
