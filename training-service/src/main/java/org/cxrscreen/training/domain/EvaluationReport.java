package org.cxrscreen.training.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * A model's figures on a labelled set, as written to JSON (the keys are documented in the README) and
 * printed as a table.
 *
 * @param model the model version evaluated
 * @param data the labelled folder, and the split when one was chosen
 * @param images images evaluated
 * @param accuracy fraction classified correctly
 * @param macroF1 mean of the per-class F1
 * @param perClass precision, recall, F1 and support of each class
 * @param classes class order of the confusion matrix
 * @param confusionMatrix rows actual, columns predicted
 * @param skipped images that could not be read, with the reason
 */
public record EvaluationReport(
        String model,
        String data,
        long images,
        double accuracy,
        double macroF1,
        Map<ScreeningClass, ClassFigures> perClass,
        List<ScreeningClass> classes,
        long[][] confusionMatrix,
        List<String> skipped) {

    /** The figures of one class. */
    public record ClassFigures(double precision, double recall, double f1, long support) {
    }

    public static EvaluationReport of(String model, String data, ConfusionMatrix matrix, List<String> skipped) {
        Map<ScreeningClass, ClassFigures> perClass = new LinkedHashMap<>();
        for (ScreeningClass c : matrix.classes()) {
            perClass.put(c, new ClassFigures(matrix.precision(c), matrix.recall(c), matrix.f1(c), matrix.support(c)));
        }
        return new EvaluationReport(model, data, matrix.total(), matrix.accuracy(), matrix.macroF1(), perClass,
                matrix.classes(), matrix.counts(), List.copyOf(skipped));
    }

    /** A plain-text table for the console. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "model %s on %s: %d images%n", model, data, images));
        out.append(String.format(Locale.ROOT, "%-10s %9s %9s %9s %9s%n", "class", "precision", "recall", "F1",
                "support"));
        perClass.forEach((c, f) -> out.append(String.format(Locale.ROOT, "%-10s %9.3f %9.3f %9.3f %9d%n", c.name(),
                f.precision(), f.recall(), f.f1(), f.support())));
        out.append(String.format(Locale.ROOT, "accuracy %.4f   macro-F1 %.4f%n", accuracy, macroF1));
        out.append("confusion matrix (rows actual, columns predicted)\n");
        out.append(String.format(Locale.ROOT, "%-10s", ""));
        classes.forEach(c -> out.append(String.format(Locale.ROOT, " %9s", c.name())));
        out.append('\n');
        for (int i = 0; i < classes.size(); i++) {
            out.append(String.format(Locale.ROOT, "%-10s", classes.get(i).name()));
            for (long v : confusionMatrix[i]) {
                out.append(String.format(Locale.ROOT, " %9d", v));
            }
            out.append('\n');
        }
        if (!skipped.isEmpty()) {
            out.append(skipped.size()).append(" images skipped, first: ").append(skipped.get(0)).append('\n');
        }
        return out.toString();
    }
}
