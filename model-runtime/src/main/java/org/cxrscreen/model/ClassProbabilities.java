package org.cxrscreen.model;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * The network's output for one image: a probability per class, in the model's class order, and the
 * label the model's decision rule gives it.
 *
 * @param classes the classes, in output order
 * @param probabilities the probability of each class, same order
 * @param operatingPoint the model's threshold for one class, or null to label by the most probable class
 */
public record ClassProbabilities(List<ScreeningClass> classes, float[] probabilities, OperatingPoint operatingPoint) {

    public ClassProbabilities {
        if (classes.size() != probabilities.length) {
            throw new IllegalArgumentException(
                    classes.size() + " classes but " + probabilities.length + " probabilities");
        }
    }

    /** Labelled by the most probable class. */
    public ClassProbabilities(List<ScreeningClass> classes, float[] probabilities) {
        this(classes, probabilities, null);
    }

    /** Index of the most probable class (the first one on a tie). */
    public int argmax() {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The most probable class. */
    public ScreeningClass mostProbable() {
        return classes.get(argmax());
    }

    /**
     * The label: with an operating point, its class when its probability reaches the threshold and
     * otherwise the most probable other class; without one, the most probable class.
     */
    public ScreeningClass label() {
        if (operatingPoint == null) {
            return mostProbable();
        }
        int special = classes.indexOf(operatingPoint.screeningClass());
        if (special < 0) {
            return mostProbable();
        }
        if (probabilities[special] >= operatingPoint.threshold()) {
            return operatingPoint.screeningClass();
        }
        int best = -1;
        for (int i = 0; i < probabilities.length; i++) {
            if (i != special && (best < 0 || probabilities[i] > probabilities[best])) {
                best = i;
            }
        }
        return best < 0 ? operatingPoint.screeningClass() : classes.get(best);
    }

    /** The probabilities keyed by class, as events carry them. */
    public Map<ScreeningClass, Double> asMap() {
        Map<ScreeningClass, Double> map = new EnumMap<>(ScreeningClass.class);
        for (int i = 0; i < probabilities.length; i++) {
            map.put(classes.get(i), (double) Math.max(0f, Math.min(1f, probabilities[i])));
        }
        return map;
    }
}
