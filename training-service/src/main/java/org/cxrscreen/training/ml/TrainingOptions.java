package org.cxrscreen.training.ml;

/**
 * How a model is trained.
 *
 * @param architecture the network
 * @param epochs most epochs to run
 * @param batchSize images per step
 * @param learningRate Adam's learning rate
 * @param seed seeds the split, the initial weights, dropout and the shuffling: a run can be repeated
 * @param threads CPU threads for PyTorch and for reading images
 * @param patience epochs without a better validation macro-F1 before stopping early
 * @param balanceClasses weight the loss by inverse class frequency, so the rare class counts
 * @param limitPerClass use at most this many images of each class (0: all), for quick runs
 */
public record TrainingOptions(
        Architecture architecture,
        int epochs,
        int batchSize,
        float learningRate,
        long seed,
        int threads,
        int patience,
        boolean balanceClasses,
        int limitPerClass) {

    public static TrainingOptions defaults() {
        return new TrainingOptions(Architecture.COMPACT_CNN_S, 8, 32, 1e-3f, 42, Runtime.getRuntime().availableProcessors(),
                3, true, 0);
    }

    public TrainingOptions {
        if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || threads < 1 || patience < 1 || limitPerClass < 0) {
            throw new IllegalArgumentException("epochs, batch size, learning rate, threads and patience must be positive");
        }
    }
}
