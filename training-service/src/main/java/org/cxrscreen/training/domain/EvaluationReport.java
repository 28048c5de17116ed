package org.cxrscreen.training.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.OperatingPoint;

/**
 * A model's figures on a labelled set, as written to JSON (keys documented in the README), printed
 * as a table and drawn in the HTML report: accuracy, per-class precision/recall/F1/support,
 * macro-F1 and the confusion matrix (most probable class), one-vs-rest ROC AUC, calibration (expected
 * calibration error over 10 confidence bins and the reliability table), the same figures at the
 * model's operating point, a breakdown by source, every misclassified image with its
 * probabilities, and for an ensemble each member's figures and how often the members disagree.
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
        Map<String, Double> rocAuc,
        Calibration calibration,
        AtOperatingPoint operatingPoint,
        Map<String, SourceFigures> bySource,
        Map<String, MemberFigures> members,
        Double memberDisagreement,
        List<Misclassified> misclassified,
        List<String> skipped) {

    /** One ensemble member's figures on the same images (its most probable class). */
    public record MemberFigures(double accuracy, double macroF1, double covidRecall) {
    }

    /** The figures of one class. */
    public record ClassFigures(double precision, double recall, double f1, long support) {
    }

    /** One bin of the reliability table: images whose top probability is in [lower, upper). */
    public record Bin(double lower, double upper, long count, double confidence, double accuracy) {
    }

    /** Expected calibration error (count-weighted |accuracy - confidence| over the bins) and the bins. */
    public record Calibration(double ece, List<Bin> bins) {
    }

    /** The figures when labels follow the model's operating point. */
    public record AtOperatingPoint(ScreeningClass screeningClass, double threshold, double targetRecall,
            double validationRecall, double accuracy, double macroF1, Map<ScreeningClass, ClassFigures> perClass,
            long[][] confusionMatrix) {
    }

    /**
     * The figures of the images of one source; its macro-F1 averages the classes the source has
     * images of.
     */
    public record SourceFigures(long images, double accuracy, double macroF1, Map<ScreeningClass, Double> recall) {
    }

    /**
     * An image the model got wrong: {@code predicted} is the most probable class, {@code label} the
     * label at the operating point (the same without one).
     */
    public record Misclassified(String file, ScreeningClass actual, ScreeningClass predicted, ScreeningClass label,
            Map<ScreeningClass, Double> probabilities) {
    }

    /** One evaluated image. */
    public record Scored(String file, String source, ScreeningClass actual, ClassProbabilities output) {
    }

    static final int BINS = 10;

    /**
     * Computes every figure from the scored images.
     *
     * @param point the model's operating point, or null
     */
    public static EvaluationReport of(String model, String data, List<ScreeningClass> classes, List<Scored> scored,
            OperatingPoint point, List<String> skipped) {
        ConfusionMatrix matrix = new ConfusionMatrix(classes);
        scored.forEach(s -> matrix.add(s.actual(), s.output().mostProbable()));

        Map<String, Double> auc = new LinkedHashMap<>();
        double aucSum = 0;
        int aucCount = 0;
        for (int k = 0; k < classes.size(); k++) {
            ScreeningClass c = classes.get(k);
            final int index = k;
            Double value = rocAuc(scored.stream().map(s -> s.actual() == c).toList(),
                    scored.stream().mapToDouble(s -> s.output().probabilities()[index]).toArray());
            auc.put(c.name(), value);
            if (value != null) {
                aucSum += value;
                aucCount++;
            }
        }
        auc.put("macro", aucCount == 0 ? null : aucSum / aucCount);

        AtOperatingPoint atPoint = null;
        if (point != null) {
            ConfusionMatrix thresholded = new ConfusionMatrix(classes);
            scored.forEach(s -> thresholded.add(s.actual(), s.output().label()));
            atPoint = new AtOperatingPoint(point.screeningClass(), point.threshold(), point.targetRecall(),
                    point.validationRecall(), thresholded.accuracy(), thresholded.macroF1(), figures(thresholded),
                    thresholded.counts());
        }

        Map<String, SourceFigures> bySource = new TreeMap<>();
        if (scored.stream().map(Scored::source).filter(s -> s != null && !s.isBlank()).distinct().count() > 1) {
            Map<String, ConfusionMatrix> matrices = new TreeMap<>();
            scored.forEach(s -> matrices.computeIfAbsent(s.source() == null ? "" : s.source(),
                    x -> new ConfusionMatrix(classes)).add(s.actual(), s.output().mostProbable()));
            matrices.forEach((source, m) -> {
                Map<ScreeningClass, Double> recall = new LinkedHashMap<>();
                classes.stream().filter(c -> m.support(c) > 0).forEach(c -> recall.put(c, m.recall(c)));
                double macroF1 = classes.stream().filter(c -> m.support(c) > 0).mapToDouble(m::f1).average().orElse(0);
                bySource.put(source, new SourceFigures(m.total(), m.accuracy(), macroF1, recall));
            });
        }

        Map<String, MemberFigures> members = new LinkedHashMap<>();
        Double disagreement = null;
        if (!scored.isEmpty() && !scored.get(0).output().members().isEmpty()) {
            List<ClassProbabilities.Member> first = scored.get(0).output().members();
            for (int m = 0; m < first.size(); m++) {
                ConfusionMatrix own = new ConfusionMatrix(classes);
                final int index = m;
                scored.forEach(s -> own.add(s.actual(),
                        s.output().mostProbable(s.output().members().get(index).probabilities())));
                members.put(first.get(m).model(), new MemberFigures(own.accuracy(), own.macroF1(),
                        own.support(ScreeningClass.COVID19) == 0 ? 0 : own.recall(ScreeningClass.COVID19)));
            }
            disagreement = (double) scored.stream().filter(s -> s.output().membersDisagree()).count() / scored.size();
        }

        List<Misclassified> wrong = new ArrayList<>();
        for (Scored s : scored) {
            ScreeningClass predicted = s.output().mostProbable();
            ScreeningClass label = s.output().label();
            if (predicted != s.actual() || label != s.actual()) {
                wrong.add(new Misclassified(s.file(), s.actual(), predicted, label, s.output().asMap()));
            }
        }
        return new EvaluationReport(model, data, matrix.total(), matrix.accuracy(), matrix.macroF1(), figures(matrix),
                classes, matrix.counts(), auc, calibration(scored), atPoint, bySource, members, disagreement, wrong,
                List.copyOf(skipped));
    }

    private static Map<ScreeningClass, ClassFigures> figures(ConfusionMatrix matrix) {
        Map<ScreeningClass, ClassFigures> perClass = new LinkedHashMap<>();
        for (ScreeningClass c : matrix.classes()) {
            perClass.put(c, new ClassFigures(matrix.precision(c), matrix.recall(c), matrix.f1(c), matrix.support(c)));
        }
        return perClass;
    }

    /**
     * Area under the ROC curve of scores for a yes/no outcome (Mann-Whitney, ties counted half);
     * null without both outcomes.
     */
    static Double rocAuc(List<Boolean> positive, double[] scores) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double[] ranks = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        long pos = positive.stream().filter(p -> p).count();
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return null;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (positive.get(i)) {
                sum += ranks[i];
            }
        }
        return (sum - pos * (pos + 1) / 2.0) / (pos * (double) neg);
    }

    static Calibration calibration(List<Scored> scored) {
        long[] count = new long[BINS];
        double[] confidence = new double[BINS];
        double[] correct = new double[BINS];
        for (Scored s : scored) {
            float top = s.output().probabilities()[s.output().argmax()];
            int bin = Math.min(BINS - 1, (int) (top * BINS));
            count[bin]++;
            confidence[bin] += top;
            correct[bin] += s.output().mostProbable() == s.actual() ? 1 : 0;
        }
        List<Bin> bins = new ArrayList<>();
        double ece = 0;
        for (int b = 0; b < BINS; b++) {
            double conf = count[b] == 0 ? 0 : confidence[b] / count[b];
            double acc = count[b] == 0 ? 0 : correct[b] / count[b];
            bins.add(new Bin((double) b / BINS, (double) (b + 1) / BINS, count[b], conf, acc));
            if (!scored.isEmpty()) {
                ece += (double) count[b] / scored.size() * Math.abs(acc - conf);
            }
        }
        return new Calibration(ece, bins);
    }

    /** A plain-text table for the console. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "model %s on %s: %d images%n", model, data, images));
        appendFigures(out, perClass, accuracy, macroF1, confusionMatrix);
        out.append(String.format(Locale.ROOT, "ROC AUC (one vs rest): %s   ECE %.4f%n", aucText(), calibration.ece()));
        if (operatingPoint != null) {
            String rule = operatingPoint.threshold() >= 1.0
                    ? "the most probable class already reached recall " + String.format(Locale.ROOT, "%.2f",
                            operatingPoint.targetRecall()) + " of " + operatingPoint.screeningClass()
                            + " on validation, so no label is added"
                    : String.format(Locale.ROOT, "%s also from p >= %.4f, chosen for recall %.2f",
                            operatingPoint.screeningClass(), operatingPoint.threshold(), operatingPoint.targetRecall());
            out.append(String.format(Locale.ROOT, "at the operating point (%s; %.3f on validation):%n", rule,
                    operatingPoint.validationRecall()));
            appendFigures(out, operatingPoint.perClass(), operatingPoint.accuracy(), operatingPoint.macroF1(),
                    operatingPoint.confusionMatrix());
        }
        bySource.forEach((source, f) -> out.append(String.format(Locale.ROOT,
                "source %s: %d images, accuracy %.4f, macro-F1 %.4f%n", source, f.images(), f.accuracy(), f.macroF1())));
        members.forEach((member, f) -> out.append(String.format(Locale.ROOT,
                "member %s: accuracy %.4f, macro-F1 %.4f, COVID19 recall %.3f%n", member, f.accuracy(), f.macroF1(),
                f.covidRecall())));
        if (memberDisagreement != null) {
            out.append(String.format(Locale.ROOT, "members disagree on %.1f%% of the images%n",
                    memberDisagreement * 100));
        }
        out.append(misclassified.size()).append(" images misclassified\n");
        if (!skipped.isEmpty()) {
            out.append(skipped.size()).append(" images skipped, first: ").append(skipped.get(0)).append('\n');
        }
        return out.toString();
    }

    private void appendFigures(StringBuilder out, Map<ScreeningClass, ClassFigures> figures, double acc, double f1,
            long[][] matrix) {
        out.append(String.format(Locale.ROOT, "%-10s %9s %9s %9s %9s%n", "class", "precision", "recall", "F1",
                "support"));
        figures.forEach((c, f) -> out.append(String.format(Locale.ROOT, "%-10s %9.3f %9.3f %9.3f %9d%n", c.name(),
                f.precision(), f.recall(), f.f1(), f.support())));
        out.append(String.format(Locale.ROOT, "accuracy %.4f   macro-F1 %.4f%n", acc, f1));
        out.append("confusion matrix (rows actual, columns predicted)\n");
        out.append(String.format(Locale.ROOT, "%-10s", ""));
        classes.forEach(c -> out.append(String.format(Locale.ROOT, " %9s", c.name())));
        out.append('\n');
        for (int i = 0; i < classes.size(); i++) {
            out.append(String.format(Locale.ROOT, "%-10s", classes.get(i).name()));
            for (long v : matrix[i]) {
                out.append(String.format(Locale.ROOT, " %9d", v));
            }
            out.append('\n');
        }
    }

    private String aucText() {
        StringBuilder text = new StringBuilder();
        rocAuc.forEach((k, v) -> text.append(text.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(v == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v)));
        return text.toString();
    }
}
