package org.cxrscreen.model;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * The network's output for one image: a probability per class, in the model's class order, the
 * label the model's decision rule gives it, and for an ensemble each member's probabilities.
 *
 * @param classes the classes, in output order
 * @param probabilities the probability of each class, same order
 * @param operatingPoint the model's threshold for one class, or null to label by the most probable class
 * @param members each member's output for an ensemble, in member order; empty for a single network
 */
public record ClassProbabilities(List<ScreeningClass> classes, float[] probabilities, OperatingPoint operatingPoint,
        List<Member> members) {

    /** One ensemble member's probabilities. */
    public record Member(String model, float[] probabilities) {
    }

    public ClassProbabilities {
        if (classes.size() != probabilities.length) {
            throw new IllegalArgumentException(
                    classes.size() + " classes but " + probabilities.length + " probabilities");
        }
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** A single network's output labelled with an operating point (or by the most probable class when null). */
    public ClassProbabilities(List<ScreeningClass> classes, float[] probabilities, OperatingPoint operatingPoint) {
        this(classes, probabilities, operatingPoint, List.of());
    }

    /** A single network's output labelled by the most probable class. */
    public ClassProbabilities(List<ScreeningClass> classes, float[] probabilities) {
        this(classes, probabilities, null, List.of());
    }

    /** Index of the most probable class (the first one on a tie). */
    public int argmax() {
        return classes.indexOf(mostProbable(probabilities));
    }

    /** The most probable class. */
    public ScreeningClass mostProbable() {
        return mostProbable(probabilities);
    }

    /**
     * The label: the most probable class, except that with an operating point its class is chosen
     * whenever its probability reaches the threshold.
     */
    public ScreeningClass label() {
        if (operatingPoint != null) {
            int special = classes.indexOf(operatingPoint.screeningClass());
            if (special >= 0 && probabilities[special] >= operatingPoint.threshold()) {
                return operatingPoint.screeningClass();
            }
        }
        return mostProbable();
    }

    /** The probabilities keyed by class, as events carry them. */
    public Map<ScreeningClass, Double> asMap() {
        return asMap(probabilities);
    }

    /** Probabilities in this output's class order, keyed by class and clamped to [0, 1]. */
    public Map<ScreeningClass, Double> asMap(float[] values) {
        Map<ScreeningClass, Double> map = new EnumMap<>(ScreeningClass.class);
        for (int i = 0; i < values.length; i++) {
            map.put(classes.get(i), (double) Math.max(0f, Math.min(1f, values[i])));
        }
        return map;
    }

    /** The most probable class of a member's probabilities. */
    public ScreeningClass mostProbable(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return classes.get(best);
    }

    /** True when the members' most probable classes are not all the same. */
    public boolean membersDisagree() {
        return members.stream().map(m -> mostProbable(m.probabilities())).distinct().count() > 1;
    }
}
