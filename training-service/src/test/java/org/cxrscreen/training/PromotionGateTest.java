package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.cxrscreen.training.domain.PromotionGate;
import org.cxrscreen.training.domain.PromotionGate.Decision;
import org.cxrscreen.training.domain.PromotionGate.Figures;
import org.junit.jupiter.api.Test;

class PromotionGateTest {

    private final PromotionGate gate = new PromotionGate(0.01, 0.90);

    private static Figures figures(double macroF1, double covidRecall) {
        return new Figures(500, 0.9, macroF1, covidRecall, 20);
    }

    @Test
    void aCandidateWithinTheToleranceAndAtTheRecallTargetIsPromoted() {
        Decision decision = gate.decide(Optional.of(figures(0.90, 0.95)), figures(0.891, 0.90));

        assertThat(decision.promote()).isTrue();
        assertThat(decision.reasons()).containsExactly(
                "macro-F1 0.8910 vs serving 0.9000: passes (tolerance 0.0100)",
                "COVID-19 recall 0.9000 on 20 images: meets target 0.9000");
    }

    @Test
    void aCandidateLowerThanTheToleranceIsRejectedEvenWithBetterRecall() {
        Decision decision = gate.decide(Optional.of(figures(0.90, 0.90)), figures(0.8899, 1.0));

        assertThat(decision.promote()).isFalse();
        assertThat(decision.reasons().get(0)).isEqualTo(
                "macro-F1 0.8899 vs serving 0.9000: FAILS, lower by 0.0101 (tolerance 0.0100)");
    }

    @Test
    void aCandidateBelowTheRecallTargetIsRejectedEvenWithBetterMacroF1() {
        Decision decision = gate.decide(Optional.of(figures(0.80, 0.95)), figures(0.95, 0.85));

        assertThat(decision.promote()).isFalse();
        assertThat(decision.reasons().get(1)).isEqualTo("COVID-19 recall 0.8500 on 20 images: FAILS, below target 0.9000");
    }

    @Test
    void withNothingServingOnlyTheRecallTargetApplies() {
        assertThat(gate.decide(Optional.empty(), figures(0.30, 0.95)).promote()).isTrue();
        assertThat(gate.decide(Optional.empty(), figures(0.99, 0.89)).promote()).isFalse();
    }

    @Test
    void aTestSetWithoutCovidImagesCannotPass() {
        Decision decision = gate.decide(Optional.of(figures(0.5, 0.9)), new Figures(100, 0.99, 0.99, 0, 0));

        assertThat(decision.promote()).isFalse();
        assertThat(decision.reasons().get(1)).contains("no COVID-19 image");
    }

    @Test
    void settingsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new PromotionGate(-0.1, 0.9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PromotionGate(0.01, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
