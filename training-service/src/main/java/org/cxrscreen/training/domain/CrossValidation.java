package org.cxrscreen.training.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * K-fold results: each fold's test figures and, for every figure, the mean and the sample standard
 * deviation over the folds.
 *
 * @param folds number of folds
 * @param figures by name: mean, sd and the per-fold values
 */
public record CrossValidation(int folds, Map<String, Figure> figures) {

    /** File name of the summary in the output folder. */
    public static final String FILE = "cross-validation.json";

    /** One figure over the folds. */
    public record Figure(double mean, double sd, List<Double> values) {
    }

    public static CrossValidation of(List<EvaluationReport> reports) {
        Map<String, ToDoubleFunction<EvaluationReport>> pick = new LinkedHashMap<>();
        pick.put("accuracy", EvaluationReport::accuracy);
        pick.put("macroF1", EvaluationReport::macroF1);
        for (ScreeningClass c : ScreeningClass.values()) {
            pick.put("precision." + c.name(), r -> r.perClass().get(c).precision());
            pick.put("recall." + c.name(), r -> r.perClass().get(c).recall());
            pick.put("f1." + c.name(), r -> r.perClass().get(c).f1());
            pick.put("rocAuc." + c.name(), r -> nanIfNull(r.rocAuc().get(c.name())));
        }
        pick.put("rocAuc.macro", r -> nanIfNull(r.rocAuc().get("macro")));
        pick.put("ece", r -> r.calibration().ece());
        pick.put("operatingPoint.accuracy", r -> r.operatingPoint() == null ? Double.NaN : r.operatingPoint().accuracy());
        pick.put("operatingPoint.macroF1", r -> r.operatingPoint() == null ? Double.NaN : r.operatingPoint().macroF1());
        pick.put("operatingPoint.recall.COVID19", r -> r.operatingPoint() == null ? Double.NaN
                : r.operatingPoint().perClass().get(ScreeningClass.COVID19).recall());
        pick.put("operatingPoint.precision.COVID19", r -> r.operatingPoint() == null ? Double.NaN
                : r.operatingPoint().perClass().get(ScreeningClass.COVID19).precision());
        Map<String, Figure> figures = new LinkedHashMap<>();
        pick.forEach((name, f) -> {
            List<Double> values = new ArrayList<>();
            reports.forEach(r -> values.add(f.applyAsDouble(r)));
            figures.put(name, summarise(values));
        });
        return new CrossValidation(reports.size(), figures);
    }

    /** Mean and sample standard deviation of the values that are numbers. */
    static Figure summarise(List<Double> values) {
        List<Double> numbers = values.stream().filter(v -> !v.isNaN()).toList();
        double mean = numbers.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double sd = numbers.size() < 2 ? 0 : Math.sqrt(numbers.stream().mapToDouble(v -> (v - mean) * (v - mean))
                .sum() / (numbers.size() - 1));
        return new Figure(mean, sd, values);
    }

    private static double nanIfNull(Double value) {
        return value == null ? Double.NaN : value;
    }

    public String table() {
        StringBuilder out = new StringBuilder(folds + "-fold cross-validation (test fold of each split):\n");
        figures.forEach((name, f) -> out.append(String.format(Locale.ROOT, "%-34s %.4f ± %.4f%n", name, f.mean(),
                f.sd())));
        return out.toString();
    }
}
