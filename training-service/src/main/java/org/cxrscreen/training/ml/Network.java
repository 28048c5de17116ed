package org.cxrscreen.training.ml;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import java.nio.file.Path;
import java.util.List;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.model.OnnxGraph;

/**
 * A sequential network built from {@link Layer}s: the DJL block trained on PyTorch, and the ONNX
 * graph written from the same layers and the block's trained parameters. The ONNX graph has one
 * input {@value #INPUT} (N x C x H x W) and two outputs: {@value #PROBABILITIES} (softmax, what the
 * service reads) and {@value #LOGITS}.
 */
public final class Network {

    public static final String INPUT = "input";
    public static final String PROBABILITIES = "probabilities";
    public static final String LOGITS = "logits";

    private final List<Layer> layers;
    private final SequentialBlock block;

    public Network(List<Layer> layers) {
        this.layers = List.copyOf(layers);
        this.block = new SequentialBlock();
        for (Layer layer : this.layers) {
            block.add(layer.toBlock());
        }
    }

    public SequentialBlock block() {
        return block;
    }

    /** Writes the trained network as ONNX. */
    public void exportOnnx(Path file, InputSpec input, int classes, String version) {
        OnnxGraph graph = new OnnxGraph("cxr-classifier");
        String x = graph.input(INPUT, -1, input.channels(), input.size(), input.size());
        List<Block> children = block.getChildren().values();
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).writeOnnx(graph, x, children.get(i), "l" + i + ".");
        }
        String probabilities = graph.node("Softmax", new String[] {x}, OnnxGraph.integer("axis", 1));
        graph.output(PROBABILITIES, probabilities, -1, classes);
        graph.output(LOGITS, x, -1, classes);
        graph.write(file, "cxr-screening training-service", version);
    }

    /** Trainable parameter count (running statistics excluded). */
    public long parameterCount() {
        return block.getParameters().values().stream()
                .filter(p -> p.requiresGradient())
                .mapToLong(p -> p.getArray().getShape().size())
                .sum();
    }
}
