package org.cxrscreen.training.ml;

import java.util.List;
import java.util.Locale;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * The learned combination of an ensemble's members: for each class c a weight per member,
 * {@code alpha[m][c] = softmax over members of theta[m][c]}; the ensemble's score of c is
 * {@code sum over m of alpha[m][c] * p_m[c]}, normalised over the classes. The thetas are fitted by
 * gradient descent (Adam) on the validation part under focal loss, with the classes weighted by
 * inverse frequency as in FLANNEL, and a small pull towards equal weights against over-fitting a
 * small validation part.
 *
 * @param alpha weights, members x classes; each class's weights sum to 1
 */
public record EnsembleWeights(float[][] alpha) {

    private static final int STEPS = 400;
    private static final double RATE = 0.05;
    private static final double PULL = 1e-3;
    private static final double EPSILON = 1e-7;

    /**
     * @param outputs per member, per image, the member's class probabilities
     * @param labels each image's class index
     */
    public static EnsembleWeights learn(List<float[][]> outputs, int[] labels, int classes, float gamma) {
        int members = outputs.size();
        double[] frequency = new double[classes];
        for (int label : labels) {
            frequency[label]++;
        }
        double[] classWeight = new double[classes];
        for (int c = 0; c < classes; c++) {
            classWeight[c] = frequency[c] == 0 ? 0 : labels.length / (classes * frequency[c]);
        }
        double[] theta = new double[members * classes];
        double[] m1 = new double[theta.length];
        double[] m2 = new double[theta.length];
        for (int step = 1; step <= STEPS; step++) {
            double[] gradient = new double[theta.length];
            for (int k = 0; k < theta.length; k++) {
                double h = 1e-4;
                double saved = theta[k];
                theta[k] = saved + h;
                double up = loss(theta, outputs, labels, classes, classWeight, gamma);
                theta[k] = saved - h;
                double down = loss(theta, outputs, labels, classes, classWeight, gamma);
                theta[k] = saved;
                gradient[k] = (up - down) / (2 * h);
            }
            for (int k = 0; k < theta.length; k++) {
                m1[k] = 0.9 * m1[k] + 0.1 * gradient[k];
                m2[k] = 0.999 * m2[k] + 0.001 * gradient[k] * gradient[k];
                double mHat = m1[k] / (1 - Math.pow(0.9, step));
                double vHat = m2[k] / (1 - Math.pow(0.999, step));
                theta[k] -= RATE * mHat / (Math.sqrt(vHat) + 1e-8);
            }
        }
        return new EnsembleWeights(alpha(theta, members, classes));
    }

    /** The ensemble's probabilities for image {@code i}, as the ONNX graph computes them. */
    public float[] combine(List<float[][]> outputs, int i) {
        int classes = alpha[0].length;
        float[] scores = new float[classes];
        float total = 0;
        for (int c = 0; c < classes; c++) {
            float s = 0;
            for (int m = 0; m < alpha.length; m++) {
                s += alpha[m][c] * outputs.get(m)[i][c];
            }
            scores[c] = s;
            total += s;
        }
        for (int c = 0; c < classes; c++) {
            scores[c] /= total;
        }
        return scores;
    }

    public String describe(List<String> members, List<ScreeningClass> classes) {
        StringBuilder text = new StringBuilder();
        for (int m = 0; m < alpha.length; m++) {
            text.append(m == 0 ? "" : "; ").append(members.get(m)).append(':');
            for (int c = 0; c < classes.size(); c++) {
                text.append(String.format(Locale.ROOT, " %s %.2f", classes.get(c), alpha[m][c]));
            }
        }
        return text.toString();
    }

    private static double loss(double[] theta, List<float[][]> outputs, int[] labels, int classes,
            double[] classWeight, float gamma) {
        float[][] a = alpha(theta, outputs.size(), classes);
        EnsembleWeights weights = new EnsembleWeights(a);
        double sum = 0;
        double weightSum = 0;
        for (int i = 0; i < labels.length; i++) {
            double p = Math.max(EPSILON, weights.combine(outputs, i)[labels[i]]);
            double w = classWeight[labels[i]];
            sum += w * Math.pow(1 - p, gamma) * -Math.log(p);
            weightSum += w;
        }
        double pull = 0;
        for (double t : theta) {
            pull += t * t;
        }
        return sum / Math.max(EPSILON, weightSum) + PULL * pull;
    }

    private static float[][] alpha(double[] theta, int members, int classes) {
        float[][] a = new float[members][classes];
        for (int c = 0; c < classes; c++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int m = 0; m < members; m++) {
                max = Math.max(max, theta[m * classes + c]);
            }
            double total = 0;
            for (int m = 0; m < members; m++) {
                total += Math.exp(theta[m * classes + c] - max);
            }
            for (int m = 0; m < members; m++) {
                a[m][c] = (float) (Math.exp(theta[m * classes + c] - max) / total);
            }
        }
        return a;
    }
}
