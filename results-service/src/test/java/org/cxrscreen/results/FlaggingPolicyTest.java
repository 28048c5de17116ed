package org.cxrscreen.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.cxrscreen.contracts.MemberPrediction;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.results.review.FlagReason;
import org.cxrscreen.results.review.FlaggingPolicy;
import org.junit.jupiter.api.Test;

class FlaggingPolicyTest {

    private final FlaggingPolicy policy = new FlaggingPolicy(0.8);

    @Test
    void aConfidentNormalIsNotFlagged() {
        assertThat(policy.reasons(prediction(ScreeningClass.NORMAL, 0.05, 0.9, 0.05, null), Map.of())).isEmpty();
    }

    @Test
    void aTopProbabilityBelowTheThresholdIsLowConfidenceAndTheThresholdItselfIsNot() {
        assertThat(policy.reasons(prediction(ScreeningClass.PNEUMONIA, 0.1, 0.11, 0.79, null), Map.of()))
                .containsExactly(FlagReason.LOW_CONFIDENCE);
        assertThat(policy.reasons(prediction(ScreeningClass.PNEUMONIA, 0.1, 0.1, 0.8, null), Map.of())).isEmpty();
    }

    @Test
    void aCovidLabelIsAPositiveScreenEvenWhenConfident() {
        assertThat(policy.reasons(prediction(ScreeningClass.COVID19, 0.99, 0.005, 0.005, null), Map.of()))
                .containsExactly(FlagReason.POSITIVE_SCREEN);
        // labelled COVID-19 by the model's operating threshold though not the most probable class
        assertThat(policy.reasons(prediction(ScreeningClass.COVID19, 0.3, 0.1, 0.6, null), Map.of()))
                .containsExactlyInAnyOrder(FlagReason.POSITIVE_SCREEN, FlagReason.LOW_CONFIDENCE);
    }

    @Test
    void membersThatDisagreeAreFlaggedAndAgreeingOnesAreNot() {
        var agree = List.of(member("a", ScreeningClass.NORMAL), member("b", ScreeningClass.NORMAL));
        var disagree = List.of(member("a", ScreeningClass.NORMAL), member("b", ScreeningClass.PNEUMONIA));
        assertThat(policy.reasons(prediction(ScreeningClass.NORMAL, 0.05, 0.9, 0.05, agree), Map.of())).isEmpty();
        assertThat(policy.reasons(prediction(ScreeningClass.NORMAL, 0.05, 0.9, 0.05, disagree), Map.of()))
                .containsExactly(FlagReason.MEMBERS_DISAGREE);
    }

    @Test
    void anEarlierVersionWithAnotherLabelIsFlaggedButTheSameVersionIsNot() {
        PredictionMade p = prediction(ScreeningClass.NORMAL, 0.05, 0.9, 0.05, null);
        assertThat(policy.reasons(p, Map.of("v0", ScreeningClass.PNEUMONIA, "v2", ScreeningClass.NORMAL)))
                .containsExactly(FlagReason.VERSIONS_DISAGREE);
        assertThat(policy.reasons(p, Map.of("v0", ScreeningClass.NORMAL, "v2", ScreeningClass.NORMAL))).isEmpty();
        // the prediction's own version never counts, whatever label the map holds for it
        assertThat(policy.reasons(p, Map.of("v2", ScreeningClass.PNEUMONIA))).isEmpty();
    }

    @Test
    void everyReasonIsRecordedAtOnce() {
        var disagree = List.of(member("a", ScreeningClass.COVID19), member("b", ScreeningClass.PNEUMONIA));
        assertThat(policy.reasons(prediction(ScreeningClass.COVID19, 0.5, 0.1, 0.4, disagree),
                Map.of("v0", ScreeningClass.PNEUMONIA))).containsExactlyInAnyOrder(FlagReason.values());
    }

    private static MemberPrediction member(String name, ScreeningClass label) {
        return new MemberPrediction(name, label, Map.of(label, 1.0));
    }

    static PredictionMade prediction(ScreeningClass label, double covid, double normal, double pneumonia,
            List<MemberPrediction> members) {
        return new PredictionMade(UUID.randomUUID(), Instant.now(), 1, "img", "cxr", "v2", label,
                Map.of(ScreeningClass.COVID19, covid, ScreeningClass.NORMAL, normal, ScreeningClass.PNEUMONIA,
                        pneumonia), "w", 1.0, Instant.now(), members);
    }
}
