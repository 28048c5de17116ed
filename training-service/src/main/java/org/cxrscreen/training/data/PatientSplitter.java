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
        List<String> warnings = new ArrayList<>();
        List<LabelledImage> train = new ArrayList<>();
        List<LabelledImage> validation = new ArrayList<>();
        List<LabelledImage> test = new ArrayList<>();
        groupsByClass(images, seed, warnings).values().forEach(groups -> {
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

    /**
     * K-fold cross-validation by patient, stratified by class: patients are dealt to {@code k} folds in
     * turn; split {@code i} tests on fold {@code i}, validates on fold {@code i + 1} and trains on the
     * others. Every image is tested exactly once.
     */
    public static List<Split> folds(List<LabelledImage> images, int k, long seed) {
        if (k < 3) {
            throw new IllegalArgumentException("cross-validation needs at least 3 folds, got " + k);
        }
        List<String> warnings = new ArrayList<>();
        List<List<LabelledImage>> folds = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            folds.add(new ArrayList<>());
        }
        int[] next = {0};
        groupsByClass(images, seed, warnings).values().forEach(groups -> {
            for (List<LabelledImage> group : groups) {
                folds.get(next[0]++ % k).addAll(group);
            }
        });
        List<Split> splits = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            List<LabelledImage> train = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                if (j != i && j != (i + 1) % k) {
                    train.addAll(folds.get(j));
                }
            }
            splits.add(new Split(train, folds.get((i + 1) % k), folds.get(i), warnings));
        }
        return splits;
    }

    /**
     * Per class (the rarest class among a patient's images), the groups that must stay together,
     * shuffled: one group per patient, or one per image where the class has too few patient ids.
     */
    private static Map<ScreeningClass, List<List<LabelledImage>>> groupsByClass(List<LabelledImage> images, long seed,
            List<String> warnings) {
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
        Random random = new Random(seed);
        Map<ScreeningClass, List<List<LabelledImage>>> groups = new EnumMap<>(ScreeningClass.class);
        patientsByClass.forEach((label, patients) -> {
            List<List<LabelledImage>> own = new ArrayList<>();
            if (patients.size() >= MIN_PATIENTS) {
                patients.forEach(p -> own.add(byPatient.get(p)));
            } else {
                List<LabelledImage> all = new ArrayList<>();
                patients.forEach(p -> all.addAll(byPatient.get(p)));
                all.forEach(image -> own.add(List.of(image)));
                warnings.add(label + " has only " + patients.size() + " patient ids (" + describe(patients, byPatient)
                        + "): too few to divide by patient, so its " + all.size() + " images were divided one by one");
            }
            Collections.shuffle(own, random);
            groups.put(label, own);
        });
        return groups;
    }

    private static String describe(List<String> patients, Map<String, List<LabelledImage>> byPatient) {
        return String.join(", ", patients.stream().map(p -> p + ": " + byPatient.get(p).size() + " images").toList());
    }
}
