package org.cxrscreen.model;

import org.cxrscreen.contracts.ScreeningClass;

/**
 * A decision threshold for one class, chosen on the validation part to reach a target sensitivity:
 * an image is labelled with {@code screeningClass} when that class is the most probable or its
 * probability is at least {@code threshold}; any other image gets the most probable class. The
 * operating point can only add labels of its class (a positive screen goes to a human), never take
 * away one the model's most probable class gives.
 *
 * @param screeningClass the class the threshold is for (COVID-19)
 * @param threshold the probability from which that class is chosen
 * @param targetRecall the sensitivity it was chosen to reach
 * @param validationRecall the sensitivity it reached on the validation part
 * @param validationPrecision the precision it had there
 */
public record OperatingPoint(ScreeningClass screeningClass, double threshold, double targetRecall,
        double validationRecall, double validationPrecision) {

    public OperatingPoint {
        if (screeningClass == null || !(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("an operating point needs a class and a threshold in [0, 1]");
        }
    }
}
