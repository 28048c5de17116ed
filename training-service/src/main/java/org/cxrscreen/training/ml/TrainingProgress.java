package org.cxrscreen.training.ml;

/** Receives a training run's progress: the CLI prints it; a service can publish it. */
public interface TrainingProgress {

    /**
     * One finished epoch.
     *
     * @param epoch 1-based
     * @param epochs most epochs the run will take
     * @param loss mean training loss
     * @param validationAccuracy accuracy on the validation part
     * @param validationMacroF1 macro-F1 on the validation part
     * @param validationCovidRecall COVID-19 recall on the validation part
     * @param learningRate the learning rate the epoch ran with
     * @param seconds time the epoch took
     * @param secondsLeft estimate for the remaining epochs
     */
    record Epoch(int epoch, int epochs, double loss, double validationAccuracy, double validationMacroF1,
            double validationCovidRecall, double learningRate, double seconds, double secondsLeft) {
    }

    void epoch(Epoch epoch);

    /** Within an epoch: {@code done} of {@code total} batches, the running loss. */
    default void batch(int epoch, int done, int total, double loss) {
    }

    void message(String text);
}
