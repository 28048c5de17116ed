package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.testsupport.SharedData;
import org.cxrscreen.training.data.LabelledFolder;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.data.PatientSplitter;
import org.cxrscreen.training.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledDataTest {

    @TempDir
    Path temp;

    @Test
    void theSharedManifestIsReadWithQuotedCommas() {
        List<LabelledImage> images = LabelledFolder.read(SharedData.cxr());

        Map<ScreeningClass, Long> perClass = images.stream()
                .collect(Collectors.groupingBy(LabelledImage::label, Collectors.counting()));
        assertThat(images).hasSize(5421);
        assertThat(perClass).containsEntry(ScreeningClass.COVID19, 205L).containsEntry(ScreeningClass.NORMAL, 1341L)
                .containsEntry(ScreeningClass.PNEUMONIA, 3875L);
        assertThat(images.get(images.size() - 1).source()).startsWith("Kermany et al. 2018 (pediatric,");
        assertThat(images).allMatch(i -> Files.isRegularFile(i.file()));
    }

    @Test
    void classSubfoldersWorkWithoutAManifest() throws IOException {
        for (ScreeningClass c : ScreeningClass.values()) {
            Path folder = Files.createDirectories(temp.resolve(c == ScreeningClass.COVID19 ? "covid-19" : c.name()));
            for (Path file : SharedData.images(c, 2)) {
                Files.createSymbolicLink(folder.resolve(file.getFileName()), file);
            }
        }
        Files.createDirectories(temp.resolve("notes"));

        List<LabelledImage> images = LabelledFolder.read(temp);

        assertThat(images).hasSize(6);
        assertThat(images).extracting(LabelledImage::label).containsOnly(ScreeningClass.values());
        assertThat(images.stream().map(LabelledImage::patient).distinct()).hasSize(6);
    }

    @Test
    void aManifestProblemIsNamed() throws IOException {
        Files.writeString(temp.resolve("manifest.csv"), "file,diagnosis\nCOVID19/a.jpg,COVID19\n");
        assertThatThrownBy(() -> LabelledFolder.read(temp)).hasMessageContaining("needs the columns file and label");

        Path image = SharedData.images(ScreeningClass.NORMAL, 1).get(0);
        Files.createSymbolicLink(temp.resolve("a.jpg"), image);
        Files.writeString(temp.resolve("manifest.csv"), "file,label\na.jpg,tuberculosis\n");
        assertThatThrownBy(() -> LabelledFolder.read(temp))
                .hasMessageContaining("line 2")
                .hasMessageContaining("expected one of COVID19, NORMAL, PNEUMONIA");

        Files.writeString(temp.resolve("manifest.csv"), "file,label\nmissing.jpg,NORMAL\n");
        assertThatThrownBy(() -> LabelledFolder.read(temp)).hasMessageContaining("1 files that do not exist");
    }

    @Test
    void noPatientIsOnTwoSidesOfTheSplitAndEveryClassIsInEveryPart() {
        List<LabelledImage> images = LabelledFolder.read(SharedData.cxr());

        Split split = PatientSplitter.standard(42).split(images);

        assertThat(split.train().size() + split.validation().size() + split.test().size()).isEqualTo(images.size());
        Set<String> train = patients(split.train(), ScreeningClass.NORMAL);
        Set<String> validation = patients(split.validation(), ScreeningClass.NORMAL);
        Set<String> test = patients(split.test(), ScreeningClass.NORMAL);
        assertThat(train).doesNotContainAnyElementsOf(validation).doesNotContainAnyElementsOf(test);
        assertThat(validation).doesNotContainAnyElementsOf(test);
        for (Split.Part part : Split.Part.values()) {
            assertThat(split.part(part)).extracting(LabelledImage::label).contains(ScreeningClass.values());
        }
        double covidInTest = split.test().stream().filter(i -> i.label() == ScreeningClass.COVID19).count() / 205.0;
        assertThat(covidInTest).isBetween(0.05, 0.2);
    }

    @Test
    void aClassWithTooFewPatientIdsIsDividedByImageAndSaysSo() {
        Split split = PatientSplitter.standard(42).split(LabelledFolder.read(SharedData.cxr()));

        assertThat(split.warnings()).hasSize(1);
        assertThat(split.warnings().get(0)).startsWith("NORMAL has only 2 patient ids");
    }

    @Test
    void everyImageIsTestedOnceInCrossValidationAndNoPatientCrossesAFold() {
        List<LabelledImage> images = LabelledFolder.read(SharedData.cxr());

        List<Split> folds = PatientSplitter.folds(images, 5, 42);

        assertThat(folds).hasSize(5);
        List<LabelledImage> tested = folds.stream().flatMap(f -> f.test().stream()).toList();
        assertThat(tested).hasSize(images.size()).containsExactlyInAnyOrderElementsOf(images);
        for (Split fold : folds) {
            assertThat(fold.train().size() + fold.validation().size() + fold.test().size()).isEqualTo(images.size());
            Set<String> train = patients(fold.train(), ScreeningClass.NORMAL);
            assertThat(train).doesNotContainAnyElementsOf(patients(fold.validation(), ScreeningClass.NORMAL))
                    .doesNotContainAnyElementsOf(patients(fold.test(), ScreeningClass.NORMAL));
            assertThat(fold.test()).extracting(LabelledImage::label).contains(ScreeningClass.values());
        }
        for (int i = 0; i < folds.size(); i++) {
            for (int j = i + 1; j < folds.size(); j++) {
                assertThat(patients(folds.get(i).test(), ScreeningClass.NORMAL))
                        .doesNotContainAnyElementsOf(patients(folds.get(j).test(), ScreeningClass.NORMAL));
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameSplit() {
        List<LabelledImage> images = LabelledFolder.read(SharedData.cxr());

        assertThat(PatientSplitter.standard(3).split(images)).isEqualTo(PatientSplitter.standard(3).split(images));
        assertThat(PatientSplitter.standard(3).split(images).test())
                .isNotEqualTo(PatientSplitter.standard(4).split(images).test());
    }

    /** Patients of the part, leaving out the class the manifest cannot divide by patient. */
    private static Set<String> patients(List<LabelledImage> part, ScreeningClass except) {
        return part.stream().filter(i -> i.label() != except).map(LabelledImage::patient)
                .collect(Collectors.toCollection(HashSet::new));
    }
}
