package org.cxrscreen.training.data;

import java.util.List;

/**
 * Training, validation and test images; no patient appears in two of them, except where
 * {@code warnings} says a class had to be divided by image.
 */
public record Split(List<LabelledImage> train, List<LabelledImage> validation, List<LabelledImage> test,
        List<String> warnings) {

    /** Which part an image is in, as written to {@code splits.csv}. */
    public enum Part {
        TRAIN,
        VALIDATION,
        TEST
    }

    public Split {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
        warnings = List.copyOf(warnings);
    }

    public List<LabelledImage> part(Part part) {
        return switch (part) {
            case TRAIN -> train;
            case VALIDATION -> validation;
            case TEST -> test;
        };
    }
}
