package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.cxrscreen.contracts.ScreeningClass.COVID19;
import static org.cxrscreen.contracts.ScreeningClass.NORMAL;
import static org.cxrscreen.contracts.ScreeningClass.PNEUMONIA;

import java.util.ArrayList;
import java.util.List;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.OperatingPoint;
import org.cxrscreen.training.domain.EvaluationHtml;
import org.cxrscreen.training.domain.EvaluationReport;
import org.cxrscreen.training.domain.EvaluationReport.Scored;
import org.cxrscreen.training.domain.OperatingPoints;
import org.junit.jupiter.api.Test;

/** The report's figures against values worked out by hand. */
class EvaluationReportTest {

    private static final List<ScreeningClass> CLASSES = List.of(COVID19, NORMAL, PNEUMONIA);

    @Test
    void rocAucCountsPairsWithTiesAsHalf() {
        // COVID19 scores: positives 0.9, 0.6, 0.4; negatives 0.7, 0.4, 0.1 -> (3 + 2 + 1.5) / 9
        List<Scored> scored = List.of(
                scored(COVID19, 0.9f, 0.05f, 0.05f), scored(COVID19, 0.6f, 0.3f, 0.1f), scored(COVID19, 0.4f, 0.5f, 0.1f),
                scored(NORMAL, 0.7f, 0.2f, 0.1f), scored(NORMAL, 0.4f, 0.5f, 0.1f), scored(PNEUMONIA, 0.1f, 0.1f, 0.8f));

        EvaluationReport report = EvaluationReport.of("m", "d", CLASSES, scored, null, List.of());

        assertThat(report.rocAuc().get("COVID19")).isCloseTo(6.5 / 9, within(1e-12));
        assertThat(report.rocAuc()).containsKeys("NORMAL", "PNEUMONIA", "macro");
    }

    @Test
    void expectedCalibrationErrorWeighsEachBinByItsImages() {
        // top probabilities 0.95 (right), 0.95 (wrong), 0.55 (right), 0.65 (right):
        // (2/4)|0.5 - 0.95| + (1/4)|1 - 0.55| + (1/4)|1 - 0.65| = 0.425
        List<Scored> scored = List.of(scored(COVID19, 0.95f, 0.03f, 0.02f), scored(NORMAL, 0.95f, 0.03f, 0.02f),
                scored(NORMAL, 0.25f, 0.55f, 0.2f), scored(PNEUMONIA, 0.15f, 0.2f, 0.65f));

        EvaluationReport report = EvaluationReport.of("m", "d", CLASSES, scored, null, List.of());

        assertThat(report.calibration().ece()).isCloseTo(0.425, within(1e-6));
        EvaluationReport.Bin top = report.calibration().bins().get(9);
        assertThat(top.count()).isEqualTo(2);
        assertThat(top.accuracy()).isEqualTo(0.5);
        assertThat(report.misclassified()).singleElement().satisfies(m -> {
            assertThat(m.actual()).isEqualTo(NORMAL);
            assertThat(m.predicted()).isEqualTo(COVID19);
        });
    }

    @Test
    void theOperatingPointIsTheHighestThresholdReachingTheTargetRecall() {
        // ten COVID19 images: four already most probable; six others with p(COVID19) 0.45 .. 0.05;
        // five NORMAL images with p(COVID19) 0.35 .. 0.01
        List<ScreeningClass> actual = new ArrayList<>();
        List<ClassProbabilities> outputs = new ArrayList<>();
        for (float s : new float[] {0.9f, 0.8f, 0.7f, 0.6f}) {
            actual.add(COVID19);
            outputs.add(new ClassProbabilities(CLASSES, new float[] {s, 1 - s, 0}));
        }
        for (float s : new float[] {0.45f, 0.4f, 0.3f, 0.2f, 0.1f, 0.05f}) {
            actual.add(COVID19);
            outputs.add(new ClassProbabilities(CLASSES, new float[] {s, 0, 1 - s}));
        }
        for (float s : new float[] {0.35f, 0.25f, 0.15f, 0.02f, 0.01f}) {
            actual.add(NORMAL);
            outputs.add(new ClassProbabilities(CLASSES, new float[] {s, 1 - s, 0}));
        }

        OperatingPoint eighty = OperatingPoints.select(actual, outputs, COVID19, 0.8).orElseThrow();
        OperatingPoint ninetyFive = OperatingPoints.select(actual, outputs, COVID19, 0.95).orElseThrow();
        OperatingPoint forty = OperatingPoints.select(actual, outputs, COVID19, 0.4).orElseThrow();

        // 8 of 10 needed: the 4 most probable and the 4 highest others, down to 0.2
        assertThat(eighty.threshold()).isEqualTo(0.2f);
        assertThat(eighty.validationRecall()).isEqualTo(0.8);
        assertThat(eighty.validationPrecision()).isEqualTo(0.8);
        assertThat(ninetyFive.threshold()).isEqualTo(0.05f);
        assertThat(ninetyFive.validationRecall()).isEqualTo(1.0);
        assertThat(ninetyFive.validationPrecision()).isCloseTo(10 / 13.0, within(1e-12));
        // the most probable class alone reaches 0.4: the threshold adds nothing
        assertThat(forty.threshold()).isEqualTo(1.0);
        assertThat(forty.validationRecall()).isEqualTo(0.4);
        assertThat(OperatingPoints.select(List.of(NORMAL), List.of(outputs.get(10)), COVID19, 0.95)).isEmpty();
    }

    @Test
    void figuresAtTheOperatingPointFollowItsLabels() {
        OperatingPoint point = new OperatingPoint(COVID19, 0.3, 0.95, 1.0, 0.5);
        List<Scored> scored = List.of(scored(COVID19, 0.35f, 0.05f, 0.6f, point),
                scored(PNEUMONIA, 0.1f, 0.1f, 0.8f, point), scored(NORMAL, 0.2f, 0.7f, 0.1f, point));
        assertThat(scored.get(0).output().label()).isEqualTo(COVID19);

        EvaluationReport report = EvaluationReport.of("m", "d", CLASSES, scored, point, List.of());

        assertThat(report.perClass().get(COVID19).recall()).isZero();
        assertThat(report.operatingPoint().perClass().get(COVID19).recall()).isEqualTo(1.0);
        assertThat(report.operatingPoint().accuracy()).isEqualTo(1.0);
        assertThat(report.misclassified()).singleElement().satisfies(m -> {
            assertThat(m.predicted()).isEqualTo(PNEUMONIA);
            assertThat(m.label()).isEqualTo(COVID19);
        });
    }

    @Test
    void sourcesAreBrokenDownAndTheHtmlIsSelfContained() {
        List<Scored> scored = List.of(
                new Scored("a.jpg", "hospital A", COVID19, new ClassProbabilities(CLASSES, new float[] {0.8f, 0.1f, 0.1f})),
                new Scored("b.jpg", "hospital B", NORMAL, new ClassProbabilities(CLASSES, new float[] {0.6f, 0.3f, 0.1f})),
                new Scored("c.jpg", "hospital B", PNEUMONIA, new ClassProbabilities(CLASSES, new float[] {0.1f, 0.1f, 0.8f})));

        EvaluationReport report = EvaluationReport.of("m", "d", CLASSES, scored, null, List.of());
        String html = EvaluationHtml.render(report);

        assertThat(report.bySource()).containsOnlyKeys("hospital A", "hospital B");
        assertThat(report.bySource().get("hospital B").accuracy()).isEqualTo(0.5);
        // hospital B has NORMAL (F1 0) and PNEUMONIA (F1 1) images: its macro-F1 is over those two
        assertThat(report.bySource().get("hospital B").macroF1()).isEqualTo(0.5);
        assertThat(html).contains("<svg", "confusion matrix", "reliability diagram", "b.jpg", "hospital B")
                .doesNotContain("<script", "<link", "src=", "href=");
    }

    private static Scored scored(ScreeningClass actual, float covid, float normal, float pneumonia) {
        return scored(actual, covid, normal, pneumonia, null);
    }

    private static Scored scored(ScreeningClass actual, float covid, float normal, float pneumonia,
            OperatingPoint point) {
        return new Scored(actual + "-" + covid + ".jpg", "", actual,
                new ClassProbabilities(CLASSES, new float[] {covid, normal, pneumonia}, point));
    }
}
