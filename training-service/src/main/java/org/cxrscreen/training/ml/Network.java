package org.cxrscreen.training.ml;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
    /** The PyTorch network's parameters in a model directory, for fine-tuning and checks. */
    public static final String PARAMETERS = "pytorch.params";

    private final List<Layer> layers;
    private final SequentialBlock block;

    public Network(List<Layer> layers) {
        this.layers = List.copyOf(layers);
        this.block = Layer.chain(this.layers);
    }

    public SequentialBlock block() {
        return block;
    }

    /** Writes the trained network as ONNX. */
    public void exportOnnx(Path file, InputSpec input, int classes, String version) {
        OnnxGraph graph = new OnnxGraph("cxr-classifier");
        String x = Layer.writeChain(graph, graph.input(INPUT, -1, input.channels(), input.size(), input.size()),
                layers, block);
        String probabilities = graph.node("Softmax", new String[] {x}, OnnxGraph.integer("axis", 1));
        graph.output(PROBABILITIES, probabilities, -1, classes);
        graph.output(LOGITS, x, -1, classes);
        graph.write(file, "cxr-screening training-service", version);
    }

    /** Writes the trained parameters in DJL's format ({@value #PARAMETERS} in a model directory). */
    public void saveParameters(Path file) {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Initialises the block for {@code input} and loads parameters written by {@link #saveParameters}. */
    public void loadParameters(Path file, NDManager manager, InputSpec input) {
        block.initialize(manager, DataType.FLOAT32, new Shape(1, input.channels(), input.size(), input.size()));
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            block.loadParameters(manager, in);
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("cannot read parameters from " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets this initialised network's parameters, in place, to those written by {@link #saveParameters}
     * for the same architecture: a trainer that already holds the arrays trains on from them.
     */
    public void loadInPlace(Path file, NDManager manager, InputSpec input) {
        Network source = new Network(layers);
        try (NDManager scratch = manager.newSubManager()) {
            source.loadParameters(file, scratch, input);
            var from = source.block.getParameters();
            var to = block.getParameters();
            if (from.size() != to.size()) {
                throw new IllegalArgumentException(file + " holds " + from.size() + " parameters, this network "
                        + to.size() + ": not the same architecture");
            }
            for (int i = 0; i < to.size(); i++) {
                NDArray target = to.get(i).getValue().getArray();
                NDArray value = from.get(i).getValue().getArray();
                if (!target.getShape().equals(value.getShape())) {
                    throw new IllegalArgumentException(file + ": parameter " + to.get(i).getKey() + " is "
                            + value.getShape() + ", this network needs " + target.getShape());
                }
                target.set(value.toFloatArray());
            }
        }
    }

    /**
     * Sets parameters from an .npz archive whose arrays are named as in torchvision's state_dict
     * ({@code conv1.weight}, {@code bn1.running_mean}, {@code layer1.0.conv1.weight}, ...). Arrays
     * missing from the archive, or shaped otherwise (a classifier head for another number of classes),
     * keep their initial values; returns a line saying what was loaded.
     */
    public String importTorchWeights(Path npz, NDManager manager) {
        NDList arrays;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(npz))) {
            arrays = NDList.decode(manager, in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read weights from " + npz + ": " + e.getMessage()
                    + " (expected an .npz of arrays named as in torchvision's state_dict)", e);
        }
        Map<String, NDArray> byName = new HashMap<>();
        arrays.forEach(a -> byName.put(a.getName(), a));
        List<String> loaded = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        Layer.visitChain(layers, block, (layer, trained) -> trained.getParameters().forEach(pair -> {
            String name = layer + "." + Layer.TORCH_NAMES.get(pair.getKey());
            NDArray source = byName.get(name);
            NDArray target = pair.getValue().getArray();
            if (source != null && source.getShape().equals(target.getShape())) {
                target.set(source.toType(DataType.FLOAT32, false).toFloatArray());
                loaded.add(name);
            } else {
                kept.add(name + (source == null ? " (missing)" : " (shape " + source.getShape() + ", needs "
                        + target.getShape() + ")"));
            }
        }));
        if (loaded.isEmpty()) {
            throw new IllegalArgumentException("no array of " + npz + " matches this network's parameters (e.g. "
                    + (kept.isEmpty() ? "none" : kept.get(0)) + "): expected torchvision's state_dict names");
        }
        return "initial weights from " + npz + ": " + loaded.size() + " arrays loaded"
                + (kept.isEmpty() ? "" : ", " + kept.size() + " left as initialised: " + kept);
    }

    /** Trainable parameter count (running statistics excluded). */
    public long parameterCount() {
        return block.getParameters().values().stream()
                .filter(p -> p.requiresGradient())
                .mapToLong(p -> p.getArray().getShape().size())
                .sum();
    }
}
