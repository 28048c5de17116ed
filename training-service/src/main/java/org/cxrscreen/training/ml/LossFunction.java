package org.cxrscreen.training.ml;

import java.util.Locale;

/** The training loss, by its command-line name. */
public enum LossFunction {
    /** Plain softmax cross-entropy. */
    CE("ce"),
    /** Cross-entropy with each class weighted by its inverse frequency. */
    WEIGHTED_CE("weighted-ce"),
    /** FLANNEL's focal loss: per-class alpha (inverse frequency) and a focusing parameter gamma. */
    FOCAL("focal");

    private final String id;

    LossFunction(String id) {
        this.id = id;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
        return id;
    }

    public static LossFunction byId(String id) {
        for (LossFunction loss : values()) {
            if (loss.id.equals(id.toLowerCase(Locale.ROOT))) {
                return loss;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + id + "': expected ce, weighted-ce or focal");
    }
}
