package org.cxrscreen.stack;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxGraph;

/**
 * The research's compact CNN as an ONNX graph with seeded random weights, for speed benchmarks on a
 * clean clone (no trained model needed: time does not depend on the weights). Same layers as the
 * training service's {@code compact-cnn}: three conv-BN-ReLU-max-pool stages (128x56x56, 128x28x28,
 * 256x14x14), linear 50,176-256, ReLU, linear 256-3, softmax.
 */
final class BenchModels {

    static final String VERSION = "bench-compact-cnn-random";

    private BenchModels() {
    }

    static ModelCard compactCnn(Path dir) {
        SplittableRandom random = new SplittableRandom(7);
        OnnxGraph graph = new OnnxGraph("compact-cnn");
        String x = graph.input("input", -1, 3, 224, 224);
        x = stage(graph, random, "1", x, 3, 128, 4);
        x = stage(graph, random, "2", x, 128, 128, 2);
        x = stage(graph, random, "3", x, 128, 256, 2);
        x = graph.node("Flatten", new String[] {x}, OnnxGraph.integer("axis", 1));
        x = graph.node("Gemm", new String[] {x, weights(graph, random, "fc1.w", 256, 256 * 14 * 14),
                weights(graph, random, "fc1.b", 256)}, OnnxGraph.integer("transB", 1));
        x = graph.node("Relu", new String[] {x});
        x = graph.node("Gemm", new String[] {x, weights(graph, random, "fc2.w", 3, 256),
                weights(graph, random, "fc2.b", 3)}, OnnxGraph.integer("transB", 1));
        String probabilities = graph.node("Softmax", new String[] {x}, OnnxGraph.integer("axis", 1));
        graph.output("probabilities", probabilities, -1, 3);
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        graph.write(dir.resolve(ModelDirectory.ONNX), "cxr-bench", "1");
        ModelCard card = new ModelCard("cxr-classifier", VERSION, "compact-cnn", Instant.now(),
                List.of(ScreeningClass.COVID19, ScreeningClass.NORMAL, ScreeningClass.PNEUMONIA), InputSpec.DEFAULT,
                ModelDirectory.ONNX, ModelDirectory.sha256(dir.resolve(ModelDirectory.ONNX)), null, null, null, null);
        ModelDirectory.write(dir, card);
        return card;
    }

    private static String stage(OnnxGraph graph, SplittableRandom random, String n, String x, int in, int out,
            int pool) {
        String conv = graph.node("Conv", new String[] {x, weights(graph, random, "conv" + n + ".w", out, in, 3, 3),
                weights(graph, random, "conv" + n + ".b", out)}, OnnxGraph.ints("kernel_shape", 3, 3),
                OnnxGraph.ints("pads", 1, 1, 1, 1));
        float[] ones = new float[out];
        java.util.Arrays.fill(ones, 1f);
        String bn = graph.node("BatchNormalization", new String[] {conv,
                graph.initializer("bn" + n + ".scale", ones, out), weights(graph, random, "bn" + n + ".bias", out),
                graph.initializer("bn" + n + ".mean", new float[out], out),
                graph.initializer("bn" + n + ".var", ones.clone(), out)});
        String relu = graph.node("Relu", new String[] {bn});
        return graph.node("MaxPool", new String[] {relu}, OnnxGraph.ints("kernel_shape", pool, pool),
                OnnxGraph.ints("strides", pool, pool));
    }

    /** He-scaled uniform weights. */
    private static String weights(OnnxGraph graph, SplittableRandom random, String name, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        long fanIn = dims.length > 1 ? count / dims[0] : 1;
        float scale = (float) Math.sqrt(6.0 / fanIn);
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * scale * (dims.length > 1 ? 1 : 0.1));
        }
        return graph.initializer(name, values, dims);
    }
}
