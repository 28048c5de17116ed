package org.cxrscreen.training.ml;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code cxr bench training}: for one architecture, the training step's throughput (forward,
 * backward, Adam update) and inference throughput on PyTorch (CPU), the epoch time that follows for
 * a given number of training images, and the process's peak resident memory. Each architecture runs
 * in a process of its own, so peak memory is its own.
 */
public final class TrainingBenchmark {

    /** The figures of one architecture. */
    public record Result(String architecture, long parameters, int batchSize, double trainImagesPerSecond,
            double inferImagesPerSecond, double epochSeconds, long peakRssMiB) {

        public String line() {
            return String.format(Locale.ROOT, "%-14s %,12d %6d %12.1f %12.1f %10.0f %10d", architecture, parameters,
                    batchSize, trainImagesPerSecond, inferImagesPerSecond, epochSeconds, peakRssMiB);
        }

        public static String header() {
            return String.format(Locale.ROOT, "%-14s %12s %6s %12s %12s %10s %10s", "architecture", "parameters",
                    "batch", "train img/s", "infer img/s", "epoch s", "peak MiB");
        }
    }

    private TrainingBenchmark() {
    }

    /**
     * Times {@code steps} training steps after one warm-up step, then inference on as many images.
     *
     * @param epochImages training images in one epoch, for the epoch time
     */
    public static Result run(Architecture architecture, int batchSize, int steps, int threads, int epochImages) {
        ClassifierTrainer.configureEngine(threads);
        int classes = ClassifierTrainer.CLASSES.size();
        Network network = new Network(architecture.layers(classes));
        Random random = new Random(1);
        float[] x = new float[batchSize * 3 * 224 * 224];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] y = new float[batchSize * classes];
        for (int i = 0; i < batchSize; i++) {
            y[i * classes + random.nextInt(classes)] = 1f;
        }
        Shape shape = new Shape(batchSize, 3, 224, 224);
        try (Model model = Model.newInstance("bench", Device.cpu(), ClassifierTrainer.ENGINE)) {
            model.setBlock(network.block());
            DefaultTrainingConfig config = new DefaultTrainingConfig(new WeightedCrossEntropy(new float[] {1, 1, 1}))
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build())
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, 224, 224));
                long trainNanos = 0;
                for (int step = 0; step <= steps; step++) {
                    long start = System.nanoTime();
                    try (NDManager manager = trainer.getManager().newSubManager()) {
                        NDArray xs = manager.create(x, shape);
                        NDArray ys = manager.create(y, new Shape(batchSize, classes));
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDList out = trainer.forward(new NDList(xs));
                            collector.backward(trainer.getLoss().evaluate(new NDList(ys), out));
                        }
                        trainer.step();
                    }
                    if (step > 0) {
                        trainNanos += System.nanoTime() - start;
                    }
                }
                long inferNanos = 0;
                for (int step = 0; step <= steps; step++) {
                    long start = System.nanoTime();
                    try (NDManager manager = trainer.getManager().newSubManager()) {
                        trainer.evaluate(new NDList(manager.create(x, shape))).singletonOrThrow().toFloatArray();
                    }
                    if (step > 0) {
                        inferNanos += System.nanoTime() - start;
                    }
                }
                double trainRate = steps * batchSize / (trainNanos / 1e9);
                double inferRate = steps * batchSize / (inferNanos / 1e9);
                return new Result(architecture.id(), network.parameterCount(), batchSize, trainRate, inferRate,
                        epochImages / trainRate, peakRssMiB());
            }
        }
    }

    /** Runs each architecture in a child JVM of this one and prints a table. */
    public static void all(List<Architecture> architectures, int batchSize, int steps, int threads, int epochImages,
            PrintStream out) {
        out.println("training benchmark: " + steps + " timed steps after one warm-up, " + threads
                + " threads, random 224x224 inputs; epoch time for " + epochImages + " training images");
        out.println(Result.header());
        String java = ProcessHandle.current().info().command().orElse("java");
        for (Architecture architecture : architectures) {
            List<String> command = List.of(java, "-Xmx4g", "-cp", System.getProperty("java.class.path"),
                    "org.cxrscreen.training.cli.CxrCli", "bench", "training-one", architecture.id(),
                    String.valueOf(batchSize), String.valueOf(steps), String.valueOf(threads),
                    String.valueOf(epochImages));
            try {
                Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String printed = new String(process.getInputStream().readAllBytes()).trim();
                int status = process.waitFor();
                String last = printed.isEmpty() ? "" : printed.substring(printed.lastIndexOf('\n') + 1);
                out.println(status == 0 ? last : architecture.id() + ": failed (" + status + ") " + printed);
            } catch (IOException e) {
                out.println(architecture.id() + ": cannot run: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Peak resident set size of this process (VmHWM), in MiB; -1 where /proc is not there. */
    static long peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
