package org.cxrscreen.training.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import org.cxrscreen.model.OnnxGraph;

/**
 * One layer of a sequential network, described once: it builds the DJL block trained on PyTorch and
 * writes the ONNX nodes that compute the same function from that block's trained parameters, so the
 * two cannot drift apart.
 */
public sealed interface Layer {

    /** A new, uninitialised DJL block for this layer. */
    Block toBlock();

    /**
     * Appends this layer to an ONNX graph.
     *
     * @param input the name of the layer's input value
     * @param trained the trained block built by {@link #toBlock()}
     * @param prefix unique prefix for initializer names
     * @return the name of the layer's output value
     */
    String writeOnnx(OnnxGraph graph, String input, Block trained, String prefix);

    /** 2-D convolution with bias, square kernel. */
    record Conv(int filters, int kernel, int stride, int padding) implements Layer {
        @Override
        public Block toBlock() {
            return Conv2d.builder()
                    .setFilters(filters)
                    .setKernelShape(new Shape(kernel, kernel))
                    .optStride(new Shape(stride, stride))
                    .optPadding(new Shape(padding, padding))
                    .build();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained, String prefix) {
            return graph.node("Conv",
                    new String[] {input, weight(graph, trained, "weight", prefix), weight(graph, trained, "bias", prefix)},
                    OnnxGraph.ints("kernel_shape", kernel, kernel),
                    OnnxGraph.ints("strides", stride, stride),
                    OnnxGraph.ints("pads", padding, padding, padding, padding));
        }
    }

    /** Batch normalisation over channels. */
    record BatchNorm() implements Layer {
        static final float EPSILON = 1e-5f;

        @Override
        public Block toBlock() {
            return ai.djl.nn.norm.BatchNorm.builder().optEpsilon(EPSILON).build();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained, String prefix) {
            return graph.node("BatchNormalization",
                    new String[] {input, weight(graph, trained, "gamma", prefix), weight(graph, trained, "beta", prefix),
                            weight(graph, trained, "runningMean", prefix), weight(graph, trained, "runningVar", prefix)},
                    OnnxGraph.real("epsilon", EPSILON));
        }
    }

    record Relu() implements Layer {
        @Override
        public Block toBlock() {
            return Activation.reluBlock();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained, String prefix) {
            return graph.node("Relu", new String[] {input});
        }
    }

    /** Max pooling, square window, no padding. */
    record MaxPool(int kernel, int stride) implements Layer {
        @Override
        public Block toBlock() {
            return Pool.maxPool2dBlock(new Shape(kernel, kernel), new Shape(stride, stride));
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained, String prefix) {
            return graph.node("MaxPool", new String[] {input},
                    OnnxGraph.ints("kernel_shape", kernel, kernel),
                    OnnxGraph.ints("strides", stride, stride));
        }
    }

    /** Average of each channel: (N, C, H, W) to (N, C). */
    record GlobalAvgPool() implements Layer {
        @Override
        public Block toBlock() {
            return Pool.globalAvgPool2dBlock();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained, String prefix) {
            String pooled = graph.node("GlobalAveragePool", new String[] {input});
            return graph.node("Flatten", new String[] {pooled}, OnnxGraph.integer("axis", 1));
        }
    }

    /** (N, C, H, W) to (N, C x H x W). */
    record Flatten() implements Layer {
        @Override
        public Block toBlock() {
            return Blocks.batchFlattenBlock();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained, String prefix) {
            return graph.node("Flatten", new String[] {input}, OnnxGraph.integer("axis", 1));
        }
    }

    /** Dropout while training; nothing at inference. */
    record Dropout(float rate) implements Layer {
        @Override
        public Block toBlock() {
            return ai.djl.nn.norm.Dropout.builder().optRate(rate).build();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained, String prefix) {
            return input;
        }
    }

    /** Fully connected layer with bias. */
    record Linear(int units) implements Layer {
        @Override
        public Block toBlock() {
            return ai.djl.nn.core.Linear.builder().setUnits(units).build();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained, String prefix) {
            return graph.node("Gemm",
                    new String[] {input, weight(graph, trained, "weight", prefix), weight(graph, trained, "bias", prefix)},
                    OnnxGraph.integer("transB", 1));
        }
    }

    private static String weight(OnnxGraph graph, Block block, String name, String prefix) {
        NDArray array = block.getParameters().get(name).getArray();
        return graph.initializer(prefix + name, array.toFloatArray(), array.getShape().getShape());
    }
}
