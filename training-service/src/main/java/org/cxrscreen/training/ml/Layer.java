package org.cxrscreen.training.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import java.util.List;
import java.util.Map;
import org.cxrscreen.model.OnnxGraph;

/**
 * One layer of a network, described once: it builds the DJL block trained on PyTorch and writes the
 * ONNX nodes that compute the same function from that block's trained parameters, so the two cannot
 * drift apart. Layers with parameters carry a name, torchvision's where the architecture is
 * torchvision's ({@code layer1.0.conv1}); their ONNX initializers and imported weights use it.
 */
public sealed interface Layer {

    /** Torchvision's names of DJL's parameter names, for weights given in torchvision's layout. */
    Map<String, String> TORCH_NAMES = Map.of("weight", "weight", "bias", "bias", "gamma", "weight", "beta", "bias",
            "runningMean", "running_mean", "runningVar", "running_var");

    /** A new, uninitialised DJL block for this layer. */
    Block toBlock();

    /**
     * Appends this layer to an ONNX graph.
     *
     * @param input the name of the layer's input value
     * @param trained the trained block built by {@link #toBlock()}
     * @return the name of the layer's output value
     */
    String writeOnnx(OnnxGraph graph, String input, Block trained);

    /** Parameterised layers of this one with their blocks, depth first, for naming parameters. */
    default void named(Block trained, java.util.function.BiConsumer<String, Block> visitor) {
    }

    /** 2-D convolution, square kernel; {@code bias} false where batch normalisation follows (ResNet). */
    record Conv(String name, int filters, int kernel, int stride, int padding, boolean bias) implements Layer {
        @Override
        public Block toBlock() {
            return Conv2d.builder()
                    .setFilters(filters)
                    .setKernelShape(new Shape(kernel, kernel))
                    .optStride(new Shape(stride, stride))
                    .optPadding(new Shape(padding, padding))
                    .optBias(bias)
                    .build();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained) {
            String weight = weight(graph, trained, name, "weight");
            String[] inputs = bias ? new String[] {input, weight, weight(graph, trained, name, "bias")}
                    : new String[] {input, weight};
            return graph.node("Conv", inputs,
                    OnnxGraph.ints("kernel_shape", kernel, kernel),
                    OnnxGraph.ints("strides", stride, stride),
                    OnnxGraph.ints("pads", padding, padding, padding, padding));
        }

        @Override
        public void named(Block trained, java.util.function.BiConsumer<String, Block> visitor) {
            visitor.accept(name, trained);
        }
    }

    /** Batch normalisation over channels. */
    record BatchNorm(String name) implements Layer {
        static final float EPSILON = 1e-5f;

        @Override
        public Block toBlock() {
            return ai.djl.nn.norm.BatchNorm.builder().optEpsilon(EPSILON).build();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained) {
            return graph.node("BatchNormalization",
                    new String[] {input, weight(graph, trained, name, "gamma"), weight(graph, trained, name, "beta"),
                            weight(graph, trained, name, "runningMean"), weight(graph, trained, name, "runningVar")},
                    OnnxGraph.real("epsilon", EPSILON));
        }

        @Override
        public void named(Block trained, java.util.function.BiConsumer<String, Block> visitor) {
            visitor.accept(name, trained);
        }
    }

    record Relu() implements Layer {
        @Override
        public Block toBlock() {
            return Activation.reluBlock();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained) {
            return graph.node("Relu", new String[] {input});
        }
    }

    /** Max pooling, square window; padded positions never win. */
    record MaxPool(int kernel, int stride, int padding) implements Layer {
        @Override
        public Block toBlock() {
            return Pool.maxPool2dBlock(new Shape(kernel, kernel), new Shape(stride, stride),
                    new Shape(padding, padding));
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained) {
            return graph.node("MaxPool", new String[] {input},
                    OnnxGraph.ints("kernel_shape", kernel, kernel),
                    OnnxGraph.ints("strides", stride, stride),
                    OnnxGraph.ints("pads", padding, padding, padding, padding));
        }
    }

    /** Average of each channel: (N, C, H, W) to (N, C). */
    record GlobalAvgPool() implements Layer {
        @Override
        public Block toBlock() {
            return Pool.globalAvgPool2dBlock();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained) {
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
        public String writeOnnx(OnnxGraph graph, String input, Block trained) {
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
        public String writeOnnx(OnnxGraph graph, String input, Block trained) {
            return input;
        }
    }

    /** Fully connected layer with bias. */
    record Linear(String name, int units) implements Layer {
        @Override
        public Block toBlock() {
            return ai.djl.nn.core.Linear.builder().setUnits(units).build();
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained) {
            return graph.node("Gemm",
                    new String[] {input, weight(graph, trained, name, "weight"), weight(graph, trained, name, "bias")},
                    OnnxGraph.integer("transB", 1));
        }

        @Override
        public void named(Block trained, java.util.function.BiConsumer<String, Block> visitor) {
            visitor.accept(name, trained);
        }
    }

    /**
     * A residual block: {@code body(x) + shortcut(x)}, the shortcut being the identity when it has no
     * layers (ResNet's basic block, its downsampling shortcut a strided 1x1 convolution and BN).
     */
    record Residual(List<Layer> body, List<Layer> shortcut) implements Layer {
        @Override
        public Block toBlock() {
            return new ParallelBlock(
                    outputs -> new NDList(outputs.get(0).singletonOrThrow().add(outputs.get(1).singletonOrThrow())),
                    List.of(chain(body), shortcut.isEmpty() ? Blocks.identityBlock() : chain(shortcut)));
        }

        @Override
        public String writeOnnx(OnnxGraph graph, String input, Block trained) {
            List<Block> branches = trained.getChildren().values();
            String main = writeChain(graph, input, body, branches.get(0));
            String side = shortcut.isEmpty() ? input : writeChain(graph, input, shortcut, branches.get(1));
            return graph.node("Add", new String[] {main, side});
        }

        @Override
        public void named(Block trained, java.util.function.BiConsumer<String, Block> visitor) {
            List<Block> branches = trained.getChildren().values();
            visitChain(body, branches.get(0), visitor);
            if (!shortcut.isEmpty()) {
                visitChain(shortcut, branches.get(1), visitor);
            }
        }
    }

    /** A sequential block of layers. */
    static SequentialBlock chain(List<Layer> layers) {
        SequentialBlock block = new SequentialBlock();
        layers.forEach(layer -> block.add(layer.toBlock()));
        return block;
    }

    /** Writes layers built by {@link #chain} one after the other; returns the last output. */
    static String writeChain(OnnxGraph graph, String input, List<Layer> layers, Block chain) {
        List<Block> children = chain.getChildren().values();
        String x = input;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).writeOnnx(graph, x, children.get(i));
        }
        return x;
    }

    /** Visits the named layers of a chain, depth first. */
    static void visitChain(List<Layer> layers, Block chain, java.util.function.BiConsumer<String, Block> visitor) {
        List<Block> children = chain.getChildren().values();
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).named(children.get(i), visitor);
        }
    }

    private static String weight(OnnxGraph graph, Block block, String layer, String parameter) {
        NDArray array = block.getParameters().get(parameter).getArray();
        return graph.initializer(layer + "." + TORCH_NAMES.get(parameter), array.toFloatArray(),
                array.getShape().getShape());
    }
}
