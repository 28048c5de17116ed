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
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.model.OperatingPoint;
import org.cxrscreen.training.data.Augmenter;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.data.LabelledFolder;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.data.PatientSplitter;
import org.cxrscreen.training.data.Split;
import org.cxrscreen.training.data.SplitFile;
import org.cxrscreen.training.domain.ConfusionMatrix;
import org.cxrscreen.training.domain.EvaluationHtml;
import org.cxrscreen.training.domain.EvaluationReport;
import org.cxrscreen.training.domain.OperatingPoints;

/**
 * Trains a classifier on DJL's PyTorch engine (CPU) from a labelled folder: split by patient
 * (80/10/10, stratified), Adam or SGD with the learning rate reduced on plateaus, a class-weighted
 * cross-entropy or focal loss, optional oversampling and augmentation, the best epoch by validation
 * macro-F1 kept, early stopping. It then exports the network to ONNX, chooses the COVID-19 operating
 * point on the validation part, evaluates the ONNX file on ONNX Runtime on the held-out test part,
 * checks ONNX Runtime against PyTorch, and writes the model directory: {@code model.onnx},
 * {@code model.json}, {@code splits.csv}, {@code pytorch.params}, {@code report.json} and
 * {@code report.html}.
 */
public final class ClassifierTrainer {

    public static final String MODEL_NAME = "cxr-classifier";
    public static final String ENGINE = "PyTorch";
    public static final List<ScreeningClass> CLASSES = List.of(ScreeningClass.values());
    public static final String REPORT_JSON = "report.json";
    public static final String REPORT_HTML = "report.html";

    private static final DateTimeFormatter VERSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final TrainingOptions options;
    private final TrainingProgress progress;
    private final InputSpec input = InputSpec.DEFAULT;
    private final Preprocessor preprocessor = new Preprocessor(input);

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
        List<LabelledImage> all = readData(data);
        Split split = PatientSplitter.standard(options.splitSeed()).split(all);
        progress.message(String.format(Locale.ROOT, "%d images: train %s, validation %s, test %s (split by patient)",
                all.size(), counts(split.train()), counts(split.validation()), counts(split.test())));
        return trainOn(data, split, out);
    }

    /**
     * K-fold cross-validation: one model per fold under {@code out/fold-N}, each tested on its own
     * fold; returns the test reports in fold order.
     */
    public List<EvaluationReport> crossValidate(Path data, Path out, int folds) {
        List<LabelledImage> all = readData(data);
        List<Split> splits = PatientSplitter.folds(all, folds, options.splitSeed());
        List<EvaluationReport> reports = new ArrayList<>();
        for (int i = 0; i < splits.size(); i++) {
            Split split = splits.get(i);
            progress.message(String.format(Locale.ROOT, "fold %d/%d: train %s, validation %s, test %s", i + 1, folds,
                    counts(split.train()), counts(split.validation()), counts(split.test())));
            trainOn(data, split, out.resolve("fold-" + (i + 1)));
            reports.add(readReport(out.resolve("fold-" + (i + 1))));
        }
        return reports;
    }

    /**
     * Trains on a split made elsewhere (the service's data set) and writes the model directory
     * {@code out}; returns its card.
     *
     * @param data the folder the split's files lie under: file names in {@code splits.csv} and in the
     *     report are relative to it
     * @param description what the data is, for the card and the report
     * @param start a model directory to fine-tune from (its {@value Network#PARAMETERS}, same
     *     architecture), or null to start from initial weights
     */
    public ModelCard train(Path data, String description, Split split, Path out, Path start) {
        startEngine();
        progress.message(String.format(Locale.ROOT, "train %s, validation %s, test %s", counts(split.train()),
                counts(split.validation()), counts(split.test())));
        return trainOn(data, description, split, out, start);
    }

    private List<LabelledImage> readData(Path data) {
        startEngine();
        return limit(LabelledFolder.read(data));
    }

    /** PyTorch's threads and offline mode, and the run's seed. */
    private void startEngine() {
        configureEngine(options.threads());
        Engine.getEngine(ENGINE).setRandomSeed((int) options.seed());
    }

    private ModelCard trainOn(Path data, Split split, Path out) {
        return trainOn(data, data.toAbsolutePath().normalize().toString(), split, out, null);
    }

    private ModelCard trainOn(Path data, String description, Split split, Path out, Path start) {
        long started = System.nanoTime();
        if (ModelDirectory.isModel(out)) {
            throw new IllegalArgumentException(out + " already holds a model; choose another --out");
        }
        split.warnings().forEach(w -> progress.message("warning: " + w));
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
        PlateauSchedule schedule = new PlateauSchedule(options.learningRate(), 0.1f, options.minLearningRate(),
                options.lrPatience());
        Path onnx = out.resolve(ModelDirectory.ONNX);
        try (Model model = Model.newInstance(MODEL_NAME, Device.cpu(), ENGINE)) {
            model.setBlock(network.block());
            float gamma = options.loss() == LossFunction.FOCAL ? options.focalGamma() : 0f;
            DefaultTrainingConfig config = new DefaultTrainingConfig(new WeightedCrossEntropy(classWeights, gamma))
                    .optOptimizer(optimizer(schedule))
                    .optDevices(new Device[] {Device.cpu()})
                    .optInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                            XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, input.channels(), input.size(), input.size()));
                if (options.initWeights() != null) {
                    progress.message(network.importTorchWeights(options.initWeights(), trainer.getManager()));
                }
                if (start != null) {
                    network.loadInPlace(start.resolve(Network.PARAMETERS), trainer.getManager(), input);
                    progress.message("fine-tuning from the weights of " + start);
                }
                progress.message(String.format(Locale.ROOT, "%s: %,d parameters; %s, learning rate %g; %s loss, "
                        + "class weights %s%s%s", options.architecture().id(), network.parameterCount(),
                        options.optimizer().id(), options.learningRate(), options.loss().id(), weightsText(classWeights),
                        options.oversample() ? "; oversampling the rarest class" : "",
                        options.augmentations().isEmpty() ? "" : "; augmenting: " + options.augmentations()));
                Training outcome = fit(trainer, network, train, validation, schedule);
                Files.createDirectories(out);
                network.exportOnnx(onnx, input, CLASSES.size(), "0.1.0");
                network.saveParameters(out.resolve(Network.PARAMETERS));
                // The restored parameters are new arrays the trainer's parameter store does not hold:
                // read them through a fresh store.
                ParameterStore restored = new ParameterStore(trainer.getManager(), false);
                float[][] reference = predict(xs -> network.block().forward(restored, xs, false),
                        trainer.getManager(), test);
                return finish(out, onnx, data, description, split, train, validation, test, network, outcome,
                        reference, started);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + out, e);
        }
    }

    private Optimizer optimizer(PlateauSchedule schedule) {
        return switch (options.optimizer()) {
            case ADAM -> Optimizer.adam().optLearningRateTracker(schedule).optWeightDecays(1e-4f).build();
            case SGD -> Optimizer.sgd().setLearningRateTracker(schedule).optMomentum(0.9f).optWeightDecays(1e-4f)
                    .build();
        };
    }

    /** The outcome of the epochs: what was run and which epoch was kept. */
    private record Training(int epochsRun, int bestEpoch, double bestValidationMacroF1,
            List<TrainingProgress.Epoch> history) {
    }

    private Training fit(Trainer trainer, Network network, FittedImages train, FittedImages validation,
            PlateauSchedule schedule) {
        Random random = new Random(options.seed());
        Augmenter augmenter = new Augmenter(options.augmentations());
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
            double rate = schedule.rate();
            List<Integer> order = epochOrder(train, random);
            int batches = (order.size() + options.batchSize() - 1) / options.batchSize();
            double lossSum = 0;
            int reportEvery = Math.max(1, batches / 5);
            for (int b = 0; b < batches; b++) {
                int from = b * options.batchSize();
                int size = Math.min(options.batchSize(), order.size() - from);
                float[] x = new float[size * length];
                float[] y = new float[size * CLASSES.size()];
                for (int i = 0; i < size; i++) {
                    int index = order.get(from + i);
                    GrayImage image = train.fitted(index);
                    preprocessor.toTensor(augmenter.enabled() ? augmenter.apply(image, random) : image, x, i * length);
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
            float[][] probabilities = predict(trainer::evaluate, trainer.getManager(), validation);
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
            boolean reduced = schedule.epochEnded(f1);
            int left = sinceBest >= options.patience() ? 0 : options.epochs() - epoch;
            TrainingProgress.Epoch summary = new TrainingProgress.Epoch(epoch, options.epochs(), lossSum / batches,
                    matrix.accuracy(), f1, matrix.recall(ScreeningClass.COVID19), rate, seconds, left * epochSeconds);
            history.add(summary);
            progress.epoch(summary);
            if (reduced) {
                progress.message(String.format(Locale.ROOT, "validation macro-F1 on a plateau: learning rate now %g",
                        schedule.rate()));
            }
        }
        if (sinceBest >= options.patience() && epoch < options.epochs()) {
            progress.message("stopped early: no better validation macro-F1 for " + options.patience() + " epochs");
        }
        restore(network, trainer.getManager(), best);
        progress.message(String.format(Locale.ROOT, "kept epoch %d (validation macro-F1 %.4f)", bestEpoch, bestF1));
        return new Training(epoch, bestEpoch, bestF1, history);
    }

    /**
     * The training images of one epoch, shuffled; with oversampling the rarest class is drawn again
     * until it has as many as the next rarest.
     */
    private List<Integer> epochOrder(FittedImages train, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            order.add(i);
        }
        if (options.oversample()) {
            Map<ScreeningClass, List<Integer>> byClass = new EnumMap<>(ScreeningClass.class);
            order.forEach(i -> byClass.computeIfAbsent(train.image(i).label(), c -> new ArrayList<>()).add(i));
            List<List<Integer>> sizes = byClass.values().stream()
                    .sorted((a, b) -> Integer.compare(a.size(), b.size())).toList();
            if (sizes.size() >= 2) {
                List<Integer> rarest = sizes.get(0);
                for (int extra = sizes.get(1).size() - rarest.size(); extra > 0; extra--) {
                    order.add(rarest.get(random.nextInt(rarest.size())));
                }
            }
        }
        Collections.shuffle(order, random);
        return order;
    }

    /** Class probabilities from the PyTorch network run by {@code forward} in inference mode. */
    private float[][] predict(UnaryOperator<NDList> forward, NDManager manager, FittedImages images) {
        int length = input.tensorLength();
        float[][] out = new float[images.size()][];
        int batch = 32;
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

    private ModelCard finish(Path out, Path onnx, Path data, String description, Split split, FittedImages train,
            FittedImages validation, FittedImages test, Network network, Training outcome, float[][] pytorch,
            long started) throws IOException {
        String sha256 = ModelDirectory.sha256(onnx);
        Instant created = Instant.now();
        String version = VERSION_TIME.format(created) + "-" + sha256.substring(0, 8);
        ObjectNode training = ModelDirectory.json().createObjectNode();
        training.put("engine", ENGINE + " " + Engine.getEngine(ENGINE).getVersion());
        training.put("data", description);
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
        ModelCard plain = new ModelCard(MODEL_NAME, version, options.architecture().id(), created, CLASSES, input,
                ModelDirectory.ONNX, sha256, null, null, null, training);
        ModelDirectory.write(out, plain);
        SplitFile.write(out.resolve(SplitFile.NAME), data, split);

        Map<String, String> engineOptions = Map.of("intraOpNumThreads", String.valueOf(options.threads()));
        Optional<OperatingPoint> point;
        try (OnnxClassifier classifier = OnnxClassifier.load(out, engineOptions)) {
            List<ClassProbabilities> outputs = Evaluator.predict(classifier, validation);
            point = OperatingPoints.select(validation.images().stream().map(LabelledImage::label).toList(), outputs,
                    ScreeningClass.COVID19, options.targetRecall());
        }
        point.ifPresentOrElse(p -> progress.message(String.format(Locale.ROOT,
                "operating point: COVID19 from p >= %.4f (recall %.3f, precision %.3f on validation; target %.2f)",
                p.threshold(), p.validationRecall(), p.validationPrecision(), p.targetRecall())),
                () -> progress.message("no COVID19 image in the validation part: no operating point"));
        ModelCard withPoint = new ModelCard(MODEL_NAME, version, plain.architecture(), created, CLASSES, input,
                ModelDirectory.ONNX, sha256, point.orElse(null), null, null, training);
        ModelDirectory.write(out, withPoint);

        EvaluationReport report;
        List<ClassProbabilities> served;
        try (OnnxClassifier classifier = OnnxClassifier.load(out, engineOptions)) {
            served = Evaluator.predict(classifier, test);
            report = Evaluator.report(withPoint, test, served, data, description + " (test part)");
        }
        double maxDiff = 0;
        for (int i = 0; i < pytorch.length; i++) {
            float[] p = served.get(i).probabilities();
            for (int k = 0; k < p.length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(p[k] - pytorch[i][k]));
            }
        }
        training.put("onnxParityMaxAbsDiff", maxDiff);
        training.put("seconds", seconds(started));
        ModelCard done = new ModelCard(MODEL_NAME, version, plain.architecture(), created, CLASSES, input,
                ModelDirectory.ONNX, sha256, point.orElse(null), null, ModelDirectory.json().valueToTree(report),
                training);
        ModelDirectory.write(out, done);
        ModelDirectory.json().writeValue(out.resolve(REPORT_JSON).toFile(), report);
        Files.writeString(out.resolve(REPORT_HTML), EvaluationHtml.render(report));
        progress.message(String.format(Locale.ROOT,
                "ONNX Runtime vs PyTorch on %d test images: max abs difference %.2e", pytorch.length, maxDiff));
        progress.message("test part, as served (ONNX Runtime):\n" + report.table());
        progress.message(String.format(Locale.ROOT, "model %s written to %s in %.0f s", version, out, seconds(started)));
        return done;
    }

    private static EvaluationReport readReport(Path dir) {
        try {
            return ModelDirectory.json().readValue(dir.resolve(REPORT_JSON).toFile(), EvaluationReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve(REPORT_JSON), e);
        }
    }

    private List<LabelledImage> limit(List<LabelledImage> images) {
        return LabelledFolder.limitPerClass(images, options.limitPerClass(), options.splitSeed());
    }

    /**
     * Inverse class frequency, normalised so that the weights average 1 over the training images (all
     * 1 for plain cross-entropy). With oversampling the frequencies are those after it.
     */
    private float[] classWeights(FittedImages train) {
        float[] weights = new float[CLASSES.size()];
        Arrays.fill(weights, 1f);
        if (options.loss() == LossFunction.CE) {
            return weights;
        }
        int[] counts = new int[CLASSES.size()];
        train.images().forEach(i -> counts[CLASSES.indexOf(i.label())]++);
        if (options.oversample()) {
            int[] sorted = Arrays.stream(counts).filter(c -> c > 0).sorted().toArray();
            if (sorted.length >= 2) {
                for (int c = 0; c < counts.length; c++) {
                    if (counts[c] == sorted[0]) {
                        counts[c] = sorted[1];
                        break;
                    }
                }
            }
        }
        int total = Arrays.stream(counts).sum();
        for (int c = 0; c < weights.length; c++) {
            weights[c] = counts[c] == 0 ? 0f : (float) total / (CLASSES.size() * counts[c]);
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

    /** Image counts by class, in output order. */
    public static Map<String, Long> counts(List<LabelledImage> images) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (ScreeningClass c : CLASSES) {
            counts.put(c.name(), images.stream().filter(i -> i.label() == c).count());
        }
        return counts;
    }

    private static String weightsText(float[] weights) {
        StringBuilder text = new StringBuilder();
        for (int c = 0; c < weights.length; c++) {
            text.append(c == 0 ? "" : ", ").append(CLASSES.get(c))
                    .append(String.format(Locale.ROOT, " %.2f", weights[c]));
        }
        return text.toString();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
