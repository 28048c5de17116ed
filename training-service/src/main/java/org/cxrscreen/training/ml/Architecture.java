package org.cxrscreen.training.ml;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cxrscreen.training.ml.Layer.BatchNorm;
import org.cxrscreen.training.ml.Layer.Conv;
import org.cxrscreen.training.ml.Layer.Dropout;
import org.cxrscreen.training.ml.Layer.Flatten;
import org.cxrscreen.training.ml.Layer.GlobalAvgPool;
import org.cxrscreen.training.ml.Layer.Linear;
import org.cxrscreen.training.ml.Layer.MaxPool;
import org.cxrscreen.training.ml.Layer.Relu;

/** The networks the trainer builds, by the id written in a model's card. */
public enum Architecture {

    /**
     * A small fast network for the quick start and CI (about 0.1 M parameters, 50 M multiply-adds per
     * image): four conv-BN-ReLU stages, the first with stride 2, then global average pooling.
     */
    COMPACT_CNN_S("compact-cnn-s") {
        @Override
        public List<Layer> layers(int classes) {
            List<Layer> layers = new ArrayList<>();
            layers.addAll(stage(16, 2));
            layers.add(new MaxPool(2, 2));
            layers.addAll(stage(32, 1));
            layers.add(new MaxPool(2, 2));
            layers.addAll(stage(64, 1));
            layers.add(new MaxPool(2, 2));
            layers.addAll(stage(128, 1));
            layers.add(new GlobalAvgPool());
            layers.add(new Dropout(0.2f));
            layers.add(new Linear(classes));
            return layers;
        }
    },

    /**
     * The research's compact CNN with its exact shapes: conv 3-128, BN, ReLU, max-pool 4 (128x56x56);
     * conv 128-128, BN, ReLU, max-pool 2 (128x28x28); conv 128-256, BN, ReLU, max-pool 2 (256x14x14);
     * linear 50,176-256, dropout 0.5, linear 256-classes.
     */
    COMPACT_CNN("compact-cnn") {
        @Override
        public List<Layer> layers(int classes) {
            List<Layer> layers = new ArrayList<>();
            layers.addAll(stage(128, 1));
            layers.add(new MaxPool(4, 4));
            layers.addAll(stage(128, 1));
            layers.add(new MaxPool(2, 2));
            layers.addAll(stage(256, 1));
            layers.add(new MaxPool(2, 2));
            layers.add(new Flatten());
            layers.add(new Linear(256));
            layers.add(new Relu());
            layers.add(new Dropout(0.5f));
            layers.add(new Linear(classes));
            return layers;
        }
    };

    private final String id;

    Architecture(String id) {
        this.id = id;
    }

    /** The layers, ending in one logit per class. */
    public abstract List<Layer> layers(int classes);

    @JsonValue
    public String id() {
        return id;
    }

    /** @throws IllegalArgumentException naming the known ids */
    public static Architecture byId(String id) {
        for (Architecture a : values()) {
            if (a.id.equals(id.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + id + "': expected one of "
                + Arrays.stream(values()).map(Architecture::id).toList());
    }

    private static List<Layer> stage(int filters, int stride) {
        return List.of(new Conv(filters, 3, stride, 1), new BatchNorm(), new Relu());
    }
}
