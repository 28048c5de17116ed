package org.cxrscreen.training.ml;

import java.util.Locale;

/** The optimiser: Adam, or SGD with momentum 0.9; both with weight decay 1e-4. */
public enum OptimizerKind {
    ADAM("adam", 1e-3f),
    SGD("sgd", 1e-2f);

    private final String id;
    private final float defaultLearningRate;

    OptimizerKind(String id, float defaultLearningRate) {
        this.id = id;
        this.defaultLearningRate = defaultLearningRate;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
        return id;
    }

    /** 1e-3 for Adam; 1e-2 for SGD, where the research's schedule starts. */
    public float defaultLearningRate() {
        return defaultLearningRate;
    }

    public static OptimizerKind byId(String id) {
        for (OptimizerKind kind : values()) {
            if (kind.id.equals(id.toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown optimizer '" + id + "': expected adam or sgd");
    }
}
