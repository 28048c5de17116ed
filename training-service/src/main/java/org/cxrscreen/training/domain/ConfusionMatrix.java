package org.cxrscreen.training.domain;

import java.util.List;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * Counts of (actual, predicted) pairs and the figures derived from them: accuracy, per-class
 * precision, recall, F1 and support, and macro-F1 (the unweighted mean of per-class F1, which a rare
 * class moves as much as a common one). A class with no predictions has precision 0; with no
 * support, recall 0.
 */
public final class ConfusionMatrix {

    private final List<ScreeningClass> classes;
    private final long[][] counts;

    public ConfusionMatrix(List<ScreeningClass> classes) {
        this.classes = List.copyOf(classes);
        this.counts = new long[classes.size()][classes.size()];
    }

    public void add(ScreeningClass actual, ScreeningClass predicted) {
        counts[index(actual)][index(predicted)]++;
    }

    public List<ScreeningClass> classes() {
        return classes;
    }

    /** Rows are actual classes, columns predicted, in {@link #classes()} order. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    public long total() {
        long total = 0;
        for (long[] row : counts) {
            for (long c : row) {
                total += c;
            }
        }
        return total;
    }

    public double accuracy() {
        long correct = 0;
        for (int i = 0; i < counts.length; i++) {
            correct += counts[i][i];
        }
        long total = total();
        return total == 0 ? 0 : (double) correct / total;
    }

    public long support(ScreeningClass c) {
        long sum = 0;
        for (long v : counts[index(c)]) {
            sum += v;
        }
        return sum;
    }

    public double precision(ScreeningClass c) {
        int k = index(c);
        long predicted = 0;
        for (long[] row : counts) {
            predicted += row[k];
        }
        return predicted == 0 ? 0 : (double) counts[k][k] / predicted;
    }

    public double recall(ScreeningClass c) {
        long support = support(c);
        return support == 0 ? 0 : (double) counts[index(c)][index(c)] / support;
    }

    public double f1(ScreeningClass c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double macroF1() {
        return classes.stream().mapToDouble(this::f1).average().orElse(0);
    }

    private int index(ScreeningClass c) {
        int i = classes.indexOf(c);
        if (i < 0) {
            throw new IllegalArgumentException(c + " is not one of " + classes);
        }
        return i;
    }
}
