package org.cxrscreen.model;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * The network's output for one image: a probability per class, in the model's class order.
 *
 * @param classes the classes, in output order
 * @param probabilities the probability of each class, same order
 */
public record ClassProbabilities(List<ScreeningClass> classes, float[] probabilities) {

    public ClassProbabilities {
        if (classes.size() != probabilities.length) {
            throw new IllegalArgumentException(
                    classes.size() + " classes but " + probabilities.length + " probabilities");
        }
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
    public ScreeningClass label() {
        return classes.get(argmax());
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
