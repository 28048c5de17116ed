package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.cxrscreen.contracts.ScreeningClass.COVID19;
import static org.cxrscreen.contracts.ScreeningClass.NORMAL;
import static org.cxrscreen.contracts.ScreeningClass.PNEUMONIA;

import java.util.List;
import org.cxrscreen.training.domain.ConfusionMatrix;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    @Test
    void figuresFollowFromTheCounts() {
        ConfusionMatrix m = new ConfusionMatrix(List.of(COVID19, NORMAL, PNEUMONIA));
        add(m, COVID19, COVID19, 8);
        add(m, COVID19, PNEUMONIA, 2);
        add(m, NORMAL, NORMAL, 45);
        add(m, NORMAL, PNEUMONIA, 5);
        add(m, PNEUMONIA, PNEUMONIA, 36);
        add(m, PNEUMONIA, COVID19, 4);

        assertThat(m.total()).isEqualTo(100);
        assertThat(m.accuracy()).isCloseTo(0.89, within(1e-12));
        assertThat(m.precision(COVID19)).isCloseTo(8.0 / 12, within(1e-12));
        assertThat(m.recall(COVID19)).isCloseTo(0.8, within(1e-12));
        assertThat(m.f1(COVID19)).isCloseTo(2 * (8.0 / 12) * 0.8 / (8.0 / 12 + 0.8), within(1e-12));
        assertThat(m.precision(NORMAL)).isEqualTo(1.0);
        assertThat(m.recall(PNEUMONIA)).isCloseTo(0.9, within(1e-12));
        assertThat(m.macroF1()).isCloseTo((m.f1(COVID19) + m.f1(NORMAL) + m.f1(PNEUMONIA)) / 3, within(1e-12));
        assertThat(m.counts()[0]).containsExactly(8, 0, 2);
    }

    @Test
    void aClassNeverPredictedHasZeroPrecisionNotNaN() {
        ConfusionMatrix m = new ConfusionMatrix(List.of(COVID19, NORMAL, PNEUMONIA));
        add(m, COVID19, NORMAL, 3);
        add(m, NORMAL, NORMAL, 3);

        assertThat(m.precision(COVID19)).isZero();
        assertThat(m.f1(COVID19)).isZero();
        assertThat(m.recall(PNEUMONIA)).isZero();
    }

    private static void add(ConfusionMatrix m, org.cxrscreen.contracts.ScreeningClass actual,
            org.cxrscreen.contracts.ScreeningClass predicted, int times) {
        for (int i = 0; i < times; i++) {
            m.add(actual, predicted);
        }
    }
}
