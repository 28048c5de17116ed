package org.cxrscreen.training.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.OperatingPoint;

/**
 * Chooses a class's decision threshold on labelled outputs: the highest threshold at which at least
 * {@code targetRecall} of the class's images get the class, counting those for which it is already the
 * most probable (the threshold only adds labels). That keeps as few false alarms as the target
 * sensitivity allows.
 */
public final class OperatingPoints {

    private OperatingPoints() {
    }

    /**
     * @param actual the true class of each image
     * @param outputs each image's class probabilities
     * @return empty when no image is of the target class
     */
    public static Optional<OperatingPoint> select(List<ScreeningClass> actual, List<ClassProbabilities> outputs,
            ScreeningClass target, double targetRecall) {
        int n = 0;
        int caught = 0;
        float[] missed = new float[actual.size()];
        int nMissed = 0;
        for (int i = 0; i < actual.size(); i++) {
            if (actual.get(i) == target) {
                n++;
                if (outputs.get(i).mostProbable() == target) {
                    caught++;
                } else {
                    missed[nMissed++] = score(outputs.get(i), target);
                }
            }
        }
        if (n == 0) {
            return Optional.empty();
        }
        int needed = Math.max(1, (int) Math.ceil(targetRecall * n - 1e-9)) - caught;
        float threshold = 1f;
        if (needed > 0) {
            float[] sorted = Arrays.copyOf(missed, nMissed);
            Arrays.sort(sorted);
            threshold = sorted[nMissed - needed];
        }
        OperatingPoint provisional = new OperatingPoint(target, threshold, targetRecall, 0, 0);
        int truePositives = 0;
        int predicted = 0;
        for (int i = 0; i < actual.size(); i++) {
            ClassProbabilities o = outputs.get(i);
            if (new ClassProbabilities(o.classes(), o.probabilities(), provisional).label() == target) {
                predicted++;
                if (actual.get(i) == target) {
                    truePositives++;
                }
            }
        }
        return Optional.of(new OperatingPoint(target, threshold, targetRecall, (double) truePositives / n,
                predicted == 0 ? 0 : (double) truePositives / predicted));
    }

    private static float score(ClassProbabilities output, ScreeningClass target) {
        return output.probabilities()[output.classes().indexOf(target)];
    }
}
