package org.cxrscreen.training.ml;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import java.util.ArrayList;
import java.util.List;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.domain.ConfusionMatrix;
import org.cxrscreen.training.domain.EvaluationReport;

/**
 * Evaluates a model directory as it is served, on ONNX Runtime through the same translator the
 * inference service uses, so the figures describe the artifact that runs.
 */
public final class Evaluator {

    private static final int BATCH = 32;

    /** A report and the probabilities behind it, in image order. */
    public record Result(EvaluationReport report, List<ClassProbabilities> outputs) {
    }

    private Evaluator() {
    }

    public static Result evaluate(OnnxClassifier classifier, FittedImages images, String data) {
        ConfusionMatrix matrix = new ConfusionMatrix(classifier.card().classes());
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
            throw new IllegalStateException("model " + classifier.card().version() + " failed on " + data, e);
        }
        for (int i = 0; i < images.size(); i++) {
            matrix.add(images.image(i).label(), outputs.get(i).label());
        }
        List<String> skipped = images.failures().stream()
                .map(f -> f.image().file() + ": " + f.reason())
                .toList();
        return new Result(EvaluationReport.of(classifier.card().version(), data, matrix, skipped), outputs);
    }
}
