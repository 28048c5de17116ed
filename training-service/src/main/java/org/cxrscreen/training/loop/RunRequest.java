package org.cxrscreen.training.loop;

/**
 * Options of a run started by hand, each overriding the configured fine-tuning option when given
 * (the CLI's training options).
 *
 * @param shuffleLabels a gate drill: the training labels are randomly permuted, so the gate should
 *     refuse the candidate (it is judged like any other)
 * @param reason why the run was started, for the record
 */
public record RunRequest(Integer epochs, Integer batchSize, String optimizer, Float learningRate, Integer patience,
        String loss, Float focalGamma, Boolean oversample, String augment, Long seed, Double targetRecall,
        Boolean shuffleLabels, String reason) {

    /** No overrides. */
    public static final RunRequest NONE = new RunRequest(null, null, null, null, null, null, null, null, null, null,
            null, null, null);

    public boolean drill() {
        return Boolean.TRUE.equals(shuffleLabels);
    }
}
