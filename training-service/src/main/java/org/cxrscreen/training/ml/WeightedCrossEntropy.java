package org.cxrscreen.training.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Softmax cross-entropy with a weight per class. Labels are one-hot rows (N x C); the loss is
 * {@code -sum(w[y] * log softmax(z)[y]) / sum(w[y])}, so with equal weights it is the mean
 * cross-entropy, and with inverse-frequency weights a rare class counts as much as a common one.
 */
public final class WeightedCrossEntropy extends Loss {

    private final float[] weights;

    public WeightedCrossEntropy(float[] weights) {
        super("WeightedCrossEntropy");
        this.weights = weights.clone();
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray oneHot = labels.singletonOrThrow();
        NDArray logits = predictions.singletonOrThrow();
        NDArray weighted = oneHot.mul(oneHot.getManager().create(weights).reshape(1, weights.length));
        NDArray logProbabilities = logits.logSoftmax(1);
        return weighted.mul(logProbabilities).sum().neg().div(weighted.sum());
    }
}
