package org.cxrscreen.training.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.model.OperatingPoint;

/**
 * Chooses a class's decision threshold on labelled scores: the highest threshold at which at least
 * {@code targetRecall} of the class's images score at or above it. That keeps as few false alarms as
 * the target sensitivity allows.
 */
public final class OperatingPoints {

    private OperatingPoints() {
    }

    /**
     * @param actual the true class of each image
     * @param scores each image's probability of {@code target}
     * @return empty when no image is of the target class
     */
    public static Optional<OperatingPoint> select(List<ScreeningClass> actual, float[] scores, ScreeningClass target,
            double targetRecall) {
        float[] positives = new float[actual.size()];
        int n = 0;
        for (int i = 0; i < actual.size(); i++) {
            if (actual.get(i) == target) {
                positives[n++] = scores[i];
            }
        }
        if (n == 0) {
            return Optional.empty();
        }
        float[] sorted = Arrays.copyOf(positives, n);
        Arrays.sort(sorted);
        int needed = Math.max(1, (int) Math.ceil(targetRecall * n - 1e-9));
        float threshold = sorted[n - needed];
        int truePositives = 0;
        int predicted = 0;
        for (int i = 0; i < actual.size(); i++) {
            if (scores[i] >= threshold) {
                predicted++;
                if (actual.get(i) == target) {
                    truePositives++;
                }
            }
        }
        return Optional.of(new OperatingPoint(target, threshold, targetRecall, (double) truePositives / n,
                (double) truePositives / predicted));
    }
}
