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
import org.cxrscreen.training.ml.Layer.Residual;

/** The networks the trainer builds, by the id written in a model's card. */
public enum Architecture {

    /**
     * A small fast network for the quick start and CI (98 k parameters, about 50 M multiply-adds per
     * image): four conv-BN-ReLU stages, the first with stride 2, then global average pooling.
     */
    COMPACT_CNN_S("compact-cnn-s") {
        @Override
        public List<Layer> layers(int classes) {
            List<Layer> layers = new ArrayList<>();
            layers.addAll(stage("conv1", "bn1", 16, 2));
            layers.add(new MaxPool(2, 2, 0));
            layers.addAll(stage("conv2", "bn2", 32, 1));
            layers.add(new MaxPool(2, 2, 0));
            layers.addAll(stage("conv3", "bn3", 64, 1));
            layers.add(new MaxPool(2, 2, 0));
            layers.addAll(stage("conv4", "bn4", 128, 1));
            layers.add(new GlobalAvgPool());
            layers.add(new Dropout(0.2f));
            layers.add(new Linear("fc", classes));
            return layers;
        }
    },

    /**
     * The research's compact CNN with its exact shapes: conv 3-128, BN, ReLU, max-pool 4 (128x56x56);
     * conv 128-128, BN, ReLU, max-pool 2 (128x28x28); conv 128-256, BN, ReLU, max-pool 2 (256x14x14);
     * linear 50,176-256, ReLU, dropout 0.5, linear 256-classes (13.3 M parameters).
     */
    COMPACT_CNN("compact-cnn") {
        @Override
        public List<Layer> layers(int classes) {
            List<Layer> layers = new ArrayList<>();
            layers.addAll(stage("conv1", "bn1", 128, 1));
            layers.add(new MaxPool(4, 4, 0));
            layers.addAll(stage("conv2", "bn2", 128, 1));
            layers.add(new MaxPool(2, 2, 0));
            layers.addAll(stage("conv3", "bn3", 256, 1));
            layers.add(new MaxPool(2, 2, 0));
            layers.add(new Flatten());
            layers.add(new Linear("fc1", 256));
            layers.add(new Relu());
            layers.add(new Dropout(0.5f));
            layers.add(new Linear("fc2", classes));
            return layers;
        }
    },

    /** Torchvision's ResNet-18: basic blocks [2, 2, 2, 2] (11.2 M parameters with 3 classes). */
    RESNET_18("resnet-18") {
        @Override
        public List<Layer> layers(int classes) {
            return resnet(new int[] {2, 2, 2, 2}, classes);
        }
    },

    /** Torchvision's ResNet-34: basic blocks [3, 4, 6, 3] (21.3 M parameters with 3 classes). */
    RESNET_34("resnet-34") {
        @Override
        public List<Layer> layers(int classes) {
            return resnet(new int[] {3, 4, 6, 3}, classes);
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

    private static List<Layer> stage(String conv, String bn, int filters, int stride) {
        return List.of(new Conv(conv, filters, 3, stride, 1, true), new BatchNorm(bn), new Relu());
    }

    /** Torchvision's ResNet with basic blocks, names as in its state_dict. */
    private static List<Layer> resnet(int[] blocks, int classes) {
        List<Layer> layers = new ArrayList<>();
        layers.add(new Conv("conv1", 64, 7, 2, 3, false));
        layers.add(new BatchNorm("bn1"));
        layers.add(new Relu());
        layers.add(new MaxPool(3, 2, 1));
        int width = 64;
        int in = 64;
        for (int stage = 0; stage < blocks.length; stage++) {
            for (int b = 0; b < blocks[stage]; b++) {
                String name = "layer" + (stage + 1) + "." + b;
                int stride = stage > 0 && b == 0 ? 2 : 1;
                List<Layer> body = List.of(
                        new Conv(name + ".conv1", width, 3, stride, 1, false), new BatchNorm(name + ".bn1"), new Relu(),
                        new Conv(name + ".conv2", width, 3, 1, 1, false), new BatchNorm(name + ".bn2"));
                List<Layer> shortcut = stride != 1 || in != width
                        ? List.of(new Conv(name + ".downsample.0", width, 1, stride, 0, false),
                                new BatchNorm(name + ".downsample.1"))
                        : List.of();
                layers.add(new Residual(body, shortcut));
                layers.add(new Relu());
                in = width;
            }
            width *= 2;
        }
        layers.add(new GlobalAvgPool());
        layers.add(new Linear("fc", classes));
        return layers;
    }
}
