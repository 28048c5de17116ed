package org.cxrscreen.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cxrscreen.contracts.ScreeningClass.COVID19;
import static org.cxrscreen.contracts.ScreeningClass.NORMAL;
import static org.cxrscreen.contracts.ScreeningClass.PNEUMONIA;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassProbabilitiesTest {

    private static final List<org.cxrscreen.contracts.ScreeningClass> CLASSES = List.of(COVID19, NORMAL, PNEUMONIA);
    private static final OperatingPoint POINT = new OperatingPoint(COVID19, 0.2, 0.95, 0.96, 0.7);

    @Test
    void withoutAnOperatingPointTheMostProbableClassIsTheLabel() {
        assertThat(new ClassProbabilities(CLASSES, new float[] {0.15f, 0.25f, 0.6f}).label()).isEqualTo(PNEUMONIA);
    }

    @Test
    void reachingTheThresholdMakesTheLabelThatClassEvenWhenAnotherIsMoreProbable() {
        ClassProbabilities p = new ClassProbabilities(CLASSES, new float[] {0.2f, 0.1f, 0.7f}, POINT);

        assertThat(p.mostProbable()).isEqualTo(PNEUMONIA);
        assertThat(p.label()).isEqualTo(COVID19);
    }

    @Test
    void belowTheThresholdTheMostProbableClassIsTheLabel() {
        ClassProbabilities p = new ClassProbabilities(CLASSES, new float[] {0.19f, 0.5f, 0.31f}, POINT);

        assertThat(p.label()).isEqualTo(NORMAL);
    }

    @Test
    void aThresholdAboveTheMostProbableClassNeverTakesTheLabelAway() {
        ClassProbabilities p = new ClassProbabilities(CLASSES, new float[] {0.5f, 0.2f, 0.3f},
                new OperatingPoint(COVID19, 0.6, 0.9, 0.9, 0.9));

        assertThat(p.label()).isEqualTo(COVID19);
    }
}
