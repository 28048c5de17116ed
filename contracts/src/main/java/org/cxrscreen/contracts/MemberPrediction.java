package org.cxrscreen.contracts;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One ensemble member's view of an image, carried in {@link PredictionMade#members()} so that
 * disagreement between members can be reported and flagged.
 *
 * @param model the member (architecture and version)
 * @param label the member's most probable class
 * @param probabilities the member's probability per class
 */
public record MemberPrediction(String model, ScreeningClass label, Map<ScreeningClass, Double> probabilities) {

    public MemberPrediction {
        Validation.notBlank(model, "model");
        Validation.required(label, "label");
        if (probabilities == null || probabilities.isEmpty()) {
            throw new IllegalArgumentException("member probabilities are required");
        }
        probabilities = Collections.unmodifiableMap(new EnumMap<>(probabilities));
    }
}
