package org.cxrscreen.results.review;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.cxrscreen.contracts.MemberPrediction;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * Decides whether a case needs a radiologist and records every reason that applies:
 * <ul>
 * <li>{@link FlagReason#LOW_CONFIDENCE}: the top probability is below {@code confidenceThreshold};
 * <li>{@link FlagReason#POSITIVE_SCREEN}: the model labelled it COVID-19 — its label already applies the
 *     model's COVID-19 operating threshold (the label is COVID-19 whenever its probability reaches it),
 *     and a positive screen always needs a human;
 * <li>{@link FlagReason#MEMBERS_DISAGREE}: the members of an ensemble do not all give the same label;
 * <li>{@link FlagReason#VERSIONS_DISAGREE}: an earlier model version labelled the same image differently.
 * </ul>
 *
 * @param confidenceThreshold top probabilities below it are flagged
 */
public record FlaggingPolicy(double confidenceThreshold) {

    public FlaggingPolicy {
        if (!(confidenceThreshold >= 0 && confidenceThreshold <= 1)) {
            throw new IllegalArgumentException("the confidence threshold must be between 0 and 1, was "
                    + confidenceThreshold);
        }
    }

    /**
     * @param earlierLabels the labels of earlier model versions on the same image, by version
     */
    public Set<FlagReason> reasons(PredictionMade prediction, Map<String, ScreeningClass> earlierLabels) {
        Set<FlagReason> reasons = EnumSet.noneOf(FlagReason.class);
        double top = prediction.probabilities().values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        if (top < confidenceThreshold) {
            reasons.add(FlagReason.LOW_CONFIDENCE);
        }
        if (prediction.label() == ScreeningClass.COVID19) {
            reasons.add(FlagReason.POSITIVE_SCREEN);
        }
        if (prediction.members() != null && prediction.members().stream().map(MemberPrediction::label)
                .distinct().count() > 1) {
            reasons.add(FlagReason.MEMBERS_DISAGREE);
        }
        if (versionsDisagree(prediction, earlierLabels)) {
            reasons.add(FlagReason.VERSIONS_DISAGREE);
        }
        return reasons;
    }

    /** True when another model version labelled the prediction's image differently. */
    public static boolean versionsDisagree(PredictionMade prediction, Map<String, ScreeningClass> labelsByVersion) {
        return labelsByVersion.entrySet().stream().anyMatch(e -> !e.getKey().equals(prediction.modelVersion())
                && e.getValue() != prediction.label());
    }
}
