package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cxrscreen.training.ml.WeightedCrossEntropy;
import org.junit.jupiter.api.Test;

/**
 * The losses against values worked out by hand. Two images: logits (2, 1, 0) of class 0, where
 * p0 = e^2 / (e^2 + e + 1) = 0.665241; logits (0, 0, 0) of class 2, where p2 = 1/3. Class weights
 * (2, 1, 0.5).
 */
class LossTest {

    private static final float[] WEIGHTS = {2f, 1f, 0.5f};

    @Test
    void classWeightedCrossEntropy() {
        // (2 * -ln 0.665241 + 0.5 * -ln(1/3)) / (2 + 0.5) = (0.815219 + 0.549306) / 2.5
        assertThat(loss(new WeightedCrossEntropy(WEIGHTS))).isCloseTo(0.545810, within(1e-5));
    }

    @Test
    void focalLossDownWeighsEasyImages() {
        // (2 * (1 - 0.665241)^2 * 0.407609 + 0.5 * (2/3)^2 * 1.098612) / 2.5 = (0.091356 + 0.244136) / 2.5
        assertThat(loss(new WeightedCrossEntropy(WEIGHTS, 2f))).isCloseTo(0.134197, within(1e-5));
    }

    @Test
    void equalWeightsGiveTheMeanCrossEntropy() {
        // (0.407609 + 1.098612) / 2
        assertThat(loss(new WeightedCrossEntropy(new float[] {1, 1, 1}))).isCloseTo(0.753111, within(1e-5));
    }

    private static double loss(WeightedCrossEntropy loss) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDList logits = new NDList(manager.create(new float[] {2, 1, 0, 0, 0, 0}, new Shape(2, 3)));
            NDList labels = new NDList(manager.create(new float[] {1, 0, 0, 0, 0, 1}, new Shape(2, 3)));
            return loss.evaluate(labels, logits).getFloat();
        }
    }
}
