package org.cxrscreen.training.ml;

import java.nio.file.Path;
import java.util.Set;
import org.cxrscreen.training.data.Augmentation;

/**
 * How a model is trained.
 *
 * @param architecture the network
 * @param epochs most epochs to run
 * @param batchSize images per step
 * @param optimizer Adam or SGD with momentum
 * @param learningRate the starting learning rate
 * @param minLearningRate the floor of the plateau schedule (the research's 1e-5)
 * @param lrPatience epochs without a better validation macro-F1 before the rate is divided by 10
 * @param seed seeds the initial weights, dropout, shuffling and augmentation
 * @param splitSeed seeds the patient split; models to be combined in an ensemble share it
 * @param threads CPU threads for PyTorch and for reading images
 * @param patience epochs without a better validation macro-F1 before stopping early
 * @param loss cross-entropy, class-weighted cross-entropy or focal loss
 * @param focalGamma focal loss's focusing parameter (FLANNEL: 2)
 * @param oversample repeat the rarest class's images, each epoch, up to the next class's count
 * @param augmentations training-time image changes (none by default)
 * @param limitPerClass use at most this many images of each class (0: all), for quick runs
 * @param targetRecall COVID-19 sensitivity the operating point must reach on the validation part
 * @param initWeights an .npz of weights in torchvision's state_dict names to start from, or null
 */
public record TrainingOptions(
        Architecture architecture,
        int epochs,
        int batchSize,
        OptimizerKind optimizer,
        float learningRate,
        float minLearningRate,
        int lrPatience,
        long seed,
        long splitSeed,
        int threads,
        int patience,
        LossFunction loss,
        float focalGamma,
        boolean oversample,
        Set<Augmentation> augmentations,
        int limitPerClass,
        double targetRecall,
        Path initWeights) {

    public static TrainingOptions defaults() {
        return new TrainingOptions(Architecture.COMPACT_CNN_S, 8, 32, OptimizerKind.ADAM,
                OptimizerKind.ADAM.defaultLearningRate(), 1e-5f, 1, 42, 42, Runtime.getRuntime().availableProcessors(), 4,
                LossFunction.WEIGHTED_CE, 2f, false, Set.of(), 0, 0.95, null);
    }

    public TrainingOptions {
        if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || !(minLearningRate > 0) || lrPatience < 1
                || threads < 1 || patience < 1 || limitPerClass < 0 || focalGamma < 0) {
            throw new IllegalArgumentException("epochs, batch size, learning rates, threads and patience must be "
                    + "positive; gamma and the per-class limit 0 or more");
        }
        if (!(targetRecall > 0 && targetRecall <= 1)) {
            throw new IllegalArgumentException("the target recall must be in (0, 1], was " + targetRecall);
        }
        augmentations = Set.copyOf(augmentations);
    }
}
