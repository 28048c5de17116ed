package org.cxrscreen.training.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Softmax cross-entropy with a weight per class and an optional focusing term (focal loss). Labels
 * are one-hot rows (N x C); with {@code p} the softmax of the logits, the loss is
 * {@code sum(w[y] * (1 - p[y])^gamma * -log p[y]) / sum(w[y])}: with gamma 0 and equal weights the mean
 * cross-entropy; with inverse-frequency weights a rare class counts as much as a common one; with
 * gamma above 0 (FLANNEL uses 2) confident, easy images count less.
 */
public final class WeightedCrossEntropy extends ai.djl.training.loss.Loss {

    private final float[] weights;
    private final float gamma;

    public WeightedCrossEntropy(float[] weights) {
        this(weights, 0f);
    }

    public WeightedCrossEntropy(float[] weights, float gamma) {
        super(gamma > 0 ? "FocalLoss" : "WeightedCrossEntropy");
        if (gamma < 0) {
            throw new IllegalArgumentException("gamma must be 0 or more, was " + gamma);
        }
        this.weights = weights.clone();
        this.gamma = gamma;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray oneHot = labels.singletonOrThrow();
        NDArray logits = predictions.singletonOrThrow();
        NDArray sampleWeights = oneHot.mul(oneHot.getManager().create(weights).reshape(1, weights.length)).sum(
                new int[] {1});
        NDArray logP = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1});
        NDArray perSample = logP.neg();
        if (gamma > 0) {
            perSample = perSample.mul(logP.exp().neg().add(1).pow(gamma));
        }
        return perSample.mul(sampleWeights).sum().div(sampleWeights.sum());
    }
}
