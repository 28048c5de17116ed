package org.cxrscreen.training.ml;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.data.LabelledFolder;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.data.PatientSplitter;
import org.cxrscreen.training.data.Split;
import org.cxrscreen.training.data.SplitFile;
import org.cxrscreen.training.domain.ConfusionMatrix;
import org.cxrscreen.training.domain.EvaluationReport;

/**
 * Trains a classifier on DJL's PyTorch engine (CPU) from a labelled folder: split by patient
 * (80/10/10, stratified), Adam with a class-weighted cross-entropy, the best epoch by validation
 * macro-F1 kept, early stopping. It then exports the network to ONNX, evaluates that file on the
 * held-out test part on ONNX Runtime, checks ONNX Runtime against PyTorch on the same images, and
 * writes the model directory: {@code model.onnx}, {@code model.json}, {@code splits.csv} and the
 * PyTorch parameters {@code pytorch.params}.
 */
public final class ClassifierTrainer {

    public static final String MODEL_NAME = "cxr-classifier";
    public static final String ENGINE = "PyTorch";
    public static final List<ScreeningClass> CLASSES = List.of(ScreeningClass.values());

    private static final DateTimeFormatter VERSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final TrainingOptions options;
    private final TrainingProgress progress;
    private final InputSpec input = InputSpec.DEFAULT;

    public ClassifierTrainer(TrainingOptions options, TrainingProgress progress) {
        this.options = options;
        this.progress = progress;
    }

    /** Sets PyTorch's thread counts and offline mode; call before the engine first loads. */
    public static void configureEngine(int threads) {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** Trains on {@code data} and writes the model directory {@code out}; returns its card. */
    public ModelCard train(Path data, Path out) {
        long started = System.nanoTime();
        if (ModelDirectory.isModel(out)) {
            throw new IllegalArgumentException(out + " already holds a model; choose another --out");
        }
        configureEngine(options.threads());
        Engine engine = Engine.getEngine(ENGINE);
        engine.setRandomSeed((int) options.seed());

        List<LabelledImage> all = limit(LabelledFolder.read(data));
        Split split = PatientSplitter.standard(options.seed()).split(all);
        progress.message(String.format(Locale.ROOT, "%d images: train %s, validation %s, test %s (split by patient)",
                all.size(), counts(split.train()), counts(split.validation()), counts(split.test())));
        split.warnings().forEach(w -> progress.message("warning: " + w));

        Preprocessor preprocessor = new Preprocessor(input);
        long readStart = System.nanoTime();
        FittedImages train = FittedImages.load(split.train(), preprocessor, options.threads());
        FittedImages validation = FittedImages.load(split.validation(), preprocessor, options.threads());
        FittedImages test = FittedImages.load(split.test(), preprocessor, options.threads());
        int unreadable = train.failures().size() + validation.failures().size() + test.failures().size();
        progress.message(String.format(Locale.ROOT, "read and preprocessed %d images in %.1f s%s",
                train.size() + validation.size() + test.size(), seconds(readStart),
                unreadable == 0 ? "" : " (" + unreadable + " unreadable, left out)"));
        if (train.size() == 0 || validation.size() == 0) {
            throw new IllegalArgumentException("too few readable images in " + data + " to train and validate");
        }

        Network network = new Network(options.architecture().layers(CLASSES.size()));
        float[] classWeights = classWeights(train);
        Training outcome;
        Path onnx = out.resolve(ModelDirectory.ONNX);
        try (Model model = Model.newInstance(MODEL_NAME, Device.cpu(), ENGINE)) {
            model.setBlock(network.block());
            DefaultTrainingConfig config = new DefaultTrainingConfig(new WeightedCrossEntropy(classWeights))
                    .optOptimizer(Optimizer.adam()
                            .optLearningRateTracker(Tracker.fixed(options.learningRate()))
                            .optWeightDecays(1e-4f)
                            .build())
                    .optDevices(new Device[] {Device.cpu()})
                    .optInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                            XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, input.channels(), input.size(), input.size()));
                progress.message(String.format(Locale.ROOT, "%s: %,d parameters; class weights %s",
                        options.architecture().id(), network.parameterCount(), weightsText(classWeights)));
                outcome = fit(trainer, network, train, validation, preprocessor);
                Files.createDirectories(out);
                network.exportOnnx(onnx, input, CLASSES.size(), "0.1.0");
                network.saveParameters(out.resolve(Network.PARAMETERS));
                // The restored parameters are new arrays the trainer's parameter store does not hold:
                // read them through a fresh store.
                ParameterStore restored = new ParameterStore(trainer.getManager(), false);
                float[][] reference = predict(xs -> network.block().forward(restored, xs, false), trainer.getManager(),
                        test, preprocessor);
                return finish(out, onnx, data, split, train, validation, test, network, outcome, reference, started);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + out, e);
        }
    }

    /** The outcome of the epochs: what was run and which epoch was kept. */
    private record Training(int epochsRun, int bestEpoch, double bestValidationMacroF1, List<TrainingProgress.Epoch> history) {
    }

    private Training fit(Trainer trainer, Network network, FittedImages train, FittedImages validation,
            Preprocessor preprocessor) {
        Random random = new Random(options.seed());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            order.add(i);
        }
        int batches = (train.size() + options.batchSize() - 1) / options.batchSize();
        int length = input.tensorLength();
        List<TrainingProgress.Epoch> history = new ArrayList<>();
        byte[] best = null;
        double bestF1 = -1;
        int bestEpoch = 0;
        int sinceBest = 0;
        double epochSeconds = 0;
        int epoch = 0;
        while (epoch < options.epochs() && sinceBest < options.patience()) {
            epoch++;
            long start = System.nanoTime();
            Collections.shuffle(order, random);
            double lossSum = 0;
            int reportEvery = Math.max(1, batches / 5);
            for (int b = 0; b < batches; b++) {
                int from = b * options.batchSize();
                int size = Math.min(options.batchSize(), train.size() - from);
                float[] x = new float[size * length];
                float[] y = new float[size * CLASSES.size()];
                for (int i = 0; i < size; i++) {
                    int index = order.get(from + i);
                    preprocessor.toTensor(train.fitted(index), x, i * length);
                    y[i * CLASSES.size() + CLASSES.indexOf(train.image(index).label())] = 1f;
                }
                try (NDManager step = trainer.getManager().newSubManager()) {
                    NDArray xs = step.create(x, new Shape(size, input.channels(), input.size(), input.size()));
                    NDArray ys = step.create(y, new Shape(size, CLASSES.size()));
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDList predictions = trainer.forward(new NDList(xs));
                        NDArray loss = trainer.getLoss().evaluate(new NDList(ys), predictions);
                        collector.backward(loss);
                        lossSum += loss.getFloat();
                    }
                    trainer.step();
                }
                if ((b + 1) % reportEvery == 0 && b + 1 < batches) {
                    progress.batch(epoch, b + 1, batches, lossSum / (b + 1));
                }
            }
            ConfusionMatrix matrix = new ConfusionMatrix(CLASSES);
            float[][] probabilities = predict(trainer::evaluate, trainer.getManager(), validation, preprocessor);
            for (int i = 0; i < validation.size(); i++) {
                matrix.add(validation.image(i).label(), new ClassProbabilities(CLASSES, probabilities[i]).label());
            }
            double seconds = seconds(start);
            epochSeconds = (epochSeconds * (epoch - 1) + seconds) / epoch;
            double f1 = matrix.macroF1();
            if (f1 > bestF1) {
                bestF1 = f1;
                bestEpoch = epoch;
                best = snapshot(network);
                sinceBest = 0;
            } else {
                sinceBest++;
            }
            int left = sinceBest >= options.patience() ? 0 : options.epochs() - epoch;
            TrainingProgress.Epoch summary = new TrainingProgress.Epoch(epoch, options.epochs(), lossSum / batches,
                    matrix.accuracy(), f1, matrix.recall(ScreeningClass.COVID19), seconds, left * epochSeconds);
            history.add(summary);
            progress.epoch(summary);
        }
        if (sinceBest >= options.patience() && epoch < options.epochs()) {
            progress.message("stopped early: no better validation macro-F1 for " + options.patience() + " epochs");
        }
        restore(network, trainer.getManager(), best);
        progress.message(String.format(Locale.ROOT, "kept epoch %d (validation macro-F1 %.4f)", bestEpoch, bestF1));
        return new Training(epoch, bestEpoch, bestF1, history);
    }

    /** Class probabilities from the PyTorch network run by {@code forward} in inference mode. */
    private float[][] predict(UnaryOperator<NDList> forward, NDManager manager, FittedImages images,
            Preprocessor preprocessor) {
        int length = input.tensorLength();
        float[][] out = new float[images.size()][];
        int batch = 64;
        for (int from = 0; from < images.size(); from += batch) {
            int size = Math.min(batch, images.size() - from);
            float[] x = new float[size * length];
            for (int i = 0; i < size; i++) {
                preprocessor.toTensor(images.fitted(from + i), x, i * length);
            }
            try (NDManager step = manager.newSubManager()) {
                NDArray xs = step.create(x, new Shape(size, input.channels(), input.size(), input.size()));
                float[] p = forward.apply(new NDList(xs)).singletonOrThrow().softmax(1).toFloatArray();
                for (int i = 0; i < size; i++) {
                    out[from + i] = Arrays.copyOfRange(p, i * CLASSES.size(), (i + 1) * CLASSES.size());
                }
            }
        }
        return out;
    }

    private ModelCard finish(Path out, Path onnx, Path data, Split split, FittedImages train, FittedImages validation,
            FittedImages test, Network network, Training outcome, float[][] pytorch, long started) {
        String sha256 = ModelDirectory.sha256(onnx);
        Instant created = Instant.now();
        String version = VERSION_TIME.format(created) + "-" + sha256.substring(0, 8);
        ObjectNode training = ModelDirectory.json().createObjectNode();
        training.put("engine", ENGINE + " " + Engine.getEngine(ENGINE).getVersion());
        training.put("data", data.toAbsolutePath().toString());
        training.put("parameters", network.parameterCount());
        training.set("options", ModelDirectory.json().valueToTree(options));
        training.set("images", ModelDirectory.json().valueToTree(Map.of(
                "train", counts(train.images()), "validation", counts(validation.images()),
                "test", counts(test.images()))));
        training.set("splitWarnings", ModelDirectory.json().valueToTree(split.warnings()));
        training.put("epochsRun", outcome.epochsRun());
        training.put("bestEpoch", outcome.bestEpoch());
        training.put("bestValidationMacroF1", outcome.bestValidationMacroF1());
        training.set("history", ModelDirectory.json().valueToTree(outcome.history()));
        ModelCard card = new ModelCard(MODEL_NAME, version, options.architecture().id(), created, CLASSES, input,
                ModelDirectory.ONNX, sha256, null, training);
        ModelDirectory.write(out, card);
        SplitFile.write(out.resolve(SplitFile.NAME), data, split);

        Evaluator.Result result;
        try (OnnxClassifier classifier = OnnxClassifier.load(out,
                Map.of("intraOpNumThreads", String.valueOf(options.threads())))) {
            result = Evaluator.evaluate(classifier, test, data + " (test part)");
        }
        double maxDiff = 0;
        for (int i = 0; i < pytorch.length; i++) {
            float[] served = result.outputs().get(i).probabilities();
            for (int k = 0; k < served.length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(served[k] - pytorch[i][k]));
            }
        }
        training.put("onnxParityMaxAbsDiff", maxDiff);
        training.put("seconds", seconds(started));
        EvaluationReport report = result.report();
        ModelCard done = new ModelCard(MODEL_NAME, version, card.architecture(), created, CLASSES, input,
                ModelDirectory.ONNX, sha256, ModelDirectory.json().valueToTree(report), training);
        ModelDirectory.write(out, done);
        progress.message(String.format(Locale.ROOT,
                "ONNX Runtime vs PyTorch on %d test images: max abs difference %.2e", pytorch.length, maxDiff));
        progress.message("test part, as served (ONNX Runtime):\n" + report.table());
        progress.message(String.format(Locale.ROOT, "model %s written to %s in %.0f s", version, out, seconds(started)));
        return done;
    }

    private List<LabelledImage> limit(List<LabelledImage> images) {
        if (options.limitPerClass() == 0) {
            return images;
        }
        List<LabelledImage> shuffled = new ArrayList<>(images);
        Collections.shuffle(shuffled, new Random(options.seed()));
        Map<ScreeningClass, Integer> taken = new EnumMap<>(ScreeningClass.class);
        List<LabelledImage> kept = new ArrayList<>();
        for (LabelledImage image : shuffled) {
            if (taken.merge(image.label(), 1, Integer::sum) <= options.limitPerClass()) {
                kept.add(image);
            }
        }
        return kept;
    }

    /** Inverse class frequency, normalised so that the weights average 1 over the training images. */
    private float[] classWeights(FittedImages train) {
        float[] weights = new float[CLASSES.size()];
        Arrays.fill(weights, 1f);
        if (!options.balanceClasses()) {
            return weights;
        }
        int[] counts = new int[CLASSES.size()];
        train.images().forEach(i -> counts[CLASSES.indexOf(i.label())]++);
        for (int c = 0; c < weights.length; c++) {
            weights[c] = counts[c] == 0 ? 0f : (float) train.size() / (CLASSES.size() * counts[c]);
        }
        return weights;
    }

    private static byte[] snapshot(Network network) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            network.block().saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void restore(Network network, NDManager manager, byte[] parameters) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            network.block().loadParameters(manager, in);
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException("cannot restore the best epoch's parameters", e);
        }
    }

    private static Map<String, Long> counts(List<LabelledImage> images) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (ScreeningClass c : CLASSES) {
            counts.put(c.name(), images.stream().filter(i -> i.label() == c).count());
        }
        return counts;
    }

    private static String weightsText(float[] weights) {
        StringBuilder text = new StringBuilder();
        for (int c = 0; c < weights.length; c++) {
            text.append(c == 0 ? "" : ", ").append(CLASSES.get(c)).append(String.format(Locale.ROOT, " %.2f", weights[c]));
        }
        return text.toString();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
