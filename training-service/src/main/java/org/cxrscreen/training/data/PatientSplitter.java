package org.cxrscreen.training.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * Splits by patient, stratified by class: each patient's images go to one part only, and each class
 * is divided in the given proportions of its patients. A patient is stratified under the rarest class
 * among its images, so the rare class is spread over every part. The same seed gives the same split.
 *
 * <p>A class with fewer than {@value #MIN_PATIENTS} distinct patient ids cannot be divided by
 * patient (two ids cannot make three parts); its images are divided one by one instead, and the
 * split says so in {@link Split#warnings()}. This happens when a manifest's patient column is coarser
 * than the patients, as for the Kermany NORMAL images of the shared data set.
 */
public final class PatientSplitter {

    /** Fewest patients of a class that can be divided by patient. */
    public static final int MIN_PATIENTS = 10;

    private final double trainFraction;
    private final double validationFraction;
    private final long seed;

    public PatientSplitter(double trainFraction, double validationFraction, long seed) {
        if (trainFraction <= 0 || validationFraction < 0 || trainFraction + validationFraction >= 1) {
            throw new IllegalArgumentException("fractions must leave room for a test part: train "
                    + trainFraction + ", validation " + validationFraction);
        }
        this.trainFraction = trainFraction;
        this.validationFraction = validationFraction;
        this.seed = seed;
    }

    /** 80 / 10 / 10. */
    public static PatientSplitter standard(long seed) {
        return new PatientSplitter(0.8, 0.1, seed);
    }

    public Split split(List<LabelledImage> images) {
        Map<String, List<LabelledImage>> byPatient = new LinkedHashMap<>();
        for (LabelledImage image : images) {
            byPatient.computeIfAbsent(image.patient(), p -> new ArrayList<>()).add(image);
        }
        Map<ScreeningClass, Integer> frequency = new EnumMap<>(ScreeningClass.class);
        images.forEach(i -> frequency.merge(i.label(), 1, Integer::sum));

        Map<ScreeningClass, List<String>> patientsByClass = new EnumMap<>(ScreeningClass.class);
        byPatient.forEach((patient, own) -> {
            ScreeningClass rarest = own.stream().map(LabelledImage::label)
                    .min((a, b) -> Integer.compare(frequency.get(a), frequency.get(b))).orElseThrow();
            patientsByClass.computeIfAbsent(rarest, c -> new ArrayList<>()).add(patient);
        });

        List<LabelledImage> train = new ArrayList<>();
        List<LabelledImage> validation = new ArrayList<>();
        List<LabelledImage> test = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Random random = new Random(seed);
        patientsByClass.forEach((label, patients) -> {
            List<List<LabelledImage>> groups = new ArrayList<>();
            if (patients.size() >= MIN_PATIENTS) {
                patients.forEach(p -> groups.add(byPatient.get(p)));
            } else {
                List<LabelledImage> own = new ArrayList<>();
                patients.forEach(p -> own.addAll(byPatient.get(p)));
                own.forEach(image -> groups.add(List.of(image)));
                warnings.add(label + " has only " + patients.size() + " patient ids (" + describe(patients, byPatient)
                        + "): too few to divide by patient, so its " + own.size() + " images were divided one by one");
            }
            Collections.shuffle(groups, random);
            int n = groups.size();
            int nTrain = (int) Math.round(n * trainFraction);
            int nValidation = (int) Math.round(n * validationFraction);
            if (n >= 3) {
                nTrain = Math.min(nTrain, n - 2);
                nValidation = Math.max(1, Math.min(nValidation, n - nTrain - 1));
            }
            for (int i = 0; i < n; i++) {
                List<LabelledImage> target = i < nTrain ? train : i < nTrain + nValidation ? validation : test;
                target.addAll(groups.get(i));
            }
        });
        return new Split(train, validation, test, warnings);
    }

    private static String describe(List<String> patients, Map<String, List<LabelledImage>> byPatient) {
        return String.join(", ", patients.stream().map(p -> p + ": " + byPatient.get(p).size() + " images").toList());
    }
}
