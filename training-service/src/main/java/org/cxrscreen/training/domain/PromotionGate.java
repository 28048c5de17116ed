package org.cxrscreen.training.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;

/**
 * The promotion gate: a candidate is published only if, on the frozen test set, its macro-F1 is at most
 * {@code tolerance} below the serving model's and its COVID-19 recall at its operating point reaches the
 * target. Both models are judged as served: labels at their operating points.
 */
public record PromotionGate(double macroF1Tolerance, double covidRecallTarget) {

    public PromotionGate {
        if (!(macroF1Tolerance >= 0 && macroF1Tolerance <= 1) || !(covidRecallTarget >= 0 && covidRecallTarget <= 1)) {
            throw new IllegalArgumentException("the gate's tolerance and recall target must be in [0, 1], were "
                    + macroF1Tolerance + " and " + covidRecallTarget);
        }
    }

    /** A model's figures on one set of images, with labels at its operating point. */
    public record Figures(long images, double accuracy, double macroF1, double covidRecall, long covidImages) {

        /**
         * The figures of the test report a model card carries ({@code model.json}'s {@code metrics});
         * empty when it carries none or something else.
         */
        public static Optional<Figures> ofCard(ModelCard card) {
            if (card.metrics() == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(of(ModelDirectory.json().treeToValue(card.metrics(), EvaluationReport.class)));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        /** As published with a version: accuracy, macro-F1, COVID-19 recall, test images. */
        public Map<String, Double> asMetrics() {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("accuracy", accuracy);
            metrics.put("macroF1", macroF1);
            metrics.put("covidRecall", covidRecall);
            metrics.put("testImages", (double) images);
            return metrics;
        }

        public static Figures of(EvaluationReport report) {
            EvaluationReport.AtOperatingPoint point = report.operatingPoint();
            var perClass = point != null ? point.perClass() : report.perClass();
            EvaluationReport.ClassFigures covid = perClass.get(ScreeningClass.COVID19);
            return new Figures(report.images(), point != null ? point.accuracy() : report.accuracy(),
                    point != null ? point.macroF1() : report.macroF1(), covid == null ? 0 : covid.recall(),
                    covid == null ? 0 : covid.support());
        }
    }

    /** The gate's verdict and every reason for it, passed or failed. */
    public record Decision(boolean promote, List<String> reasons) {

        public Decision {
            reasons = List.copyOf(reasons);
        }
    }

    /**
     * Judges a candidate against the serving model (empty when nothing serves yet: then only the recall
     * target applies).
     */
    public Decision decide(Optional<Figures> serving, Figures candidate) {
        List<String> reasons = new ArrayList<>();
        boolean promote = true;
        if (serving.isPresent()) {
            double floor = serving.get().macroF1() - macroF1Tolerance;
            boolean ok = candidate.macroF1() >= floor - 1e-12;
            promote &= ok;
            reasons.add(String.format(Locale.ROOT, "macro-F1 %.4f vs serving %.4f: %s (tolerance %.4f)",
                    candidate.macroF1(), serving.get().macroF1(), ok ? "passes" : "FAILS, lower by "
                            + String.format(Locale.ROOT, "%.4f", serving.get().macroF1() - candidate.macroF1()),
                    macroF1Tolerance));
        } else {
            reasons.add(String.format(Locale.ROOT, "macro-F1 %.4f: no serving model to compare with",
                    candidate.macroF1()));
        }
        if (candidate.covidImages() == 0) {
            promote = false;
            reasons.add("COVID-19 recall FAILS: the test set has no COVID-19 image to measure it on");
        } else {
            boolean ok = candidate.covidRecall() >= covidRecallTarget - 1e-12;
            promote &= ok;
            reasons.add(String.format(Locale.ROOT, "COVID-19 recall %.4f on %d images: %s target %.4f",
                    candidate.covidRecall(), candidate.covidImages(), ok ? "meets" : "FAILS, below", covidRecallTarget));
        }
        return new Decision(promote, reasons);
    }
}
