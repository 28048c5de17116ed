package org.cxrscreen.training.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.data.LabelledFolder;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.data.Split;
import org.cxrscreen.training.data.SplitFile;
import org.cxrscreen.training.domain.EvaluationReport;
import org.cxrscreen.training.ml.Architecture;
import org.cxrscreen.training.ml.ClassifierTrainer;
import org.cxrscreen.training.ml.EnsembleBuilder;
import org.cxrscreen.training.ml.Evaluator;
import org.cxrscreen.training.ml.TrainingOptions;
import org.cxrscreen.training.data.Augmentation;
import org.cxrscreen.training.domain.CrossValidation;
import org.cxrscreen.training.domain.EvaluationHtml;
import org.cxrscreen.training.ml.LossFunction;
import org.cxrscreen.training.ml.OperatingPointTuner;
import org.cxrscreen.training.ml.OptimizerKind;
import org.cxrscreen.training.ml.TrainingBenchmark;
import org.cxrscreen.training.ml.TrainingProgress;

/**
 * The training service's command line, run by {@code ./cxr train} and {@code ./cxr evaluate}. It runs
 * without the service around it: no Kafka, no database.
 */
public final class CxrCli {

    static final String USAGE = """
            usage:
              cxr train --data DIR --out DIR [--arch ID] [--epochs N] [--batch-size N] [--optimizer adam|sgd]
                        [--lr X] [--min-lr X] [--lr-patience N] [--patience N] [--loss ce|weighted-ce|focal]
                        [--focal-gamma X] [--oversample] [--augment rotate,flip,brightness-contrast]
                        [--seed N] [--split-seed N] [--threads N] [--limit-per-class N] [--target-recall X]
                        [--init-weights FILE.npz] [--folds K] [--events FILE.jsonl]
              cxr evaluate --model DIR --data DIR [--json FILE] [--html FILE] [--split train|validation|test]
                        [--threads N]
              cxr ensemble --members DIR,DIR[,DIR...] --data DIR --out DIR [--focal-gamma X] [--target-recall X]
              cxr threshold --model DIR --data DIR [--target-recall X]
              cxr bench training [--archs ID,ID] [--batch-size N] [--steps N] [--threads N] [--epoch-images N]

            DIR of data: a labelled folder, with manifest.csv (file,label[,patient[,source]]) or class
            subfolders COVID19, NORMAL, PNEUMONIA. Architectures: %s (default compact-cnn-s).
            """.formatted(Arrays.stream(Architecture.values()).map(Architecture::id).toList());

    private final PrintStream out;

    CxrCli(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CxrCli(System.out).run(List.of(args)));
    }

    int run(List<String> args) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("help")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            switch (args.get(0)) {
                case "train" -> train(rest);
                case "evaluate" -> evaluate(rest);
                case "ensemble" -> ensemble(rest);
                case "threshold" -> threshold(rest);
                case "bench" -> bench(rest);
                default -> throw new Args.UsageException("unknown command '" + args.get(0) + "'");
            }
            return 0;
        } catch (Args.UsageException e) {
            out.println("error: " + e.getMessage());
            out.print(USAGE);
            return 2;
        } catch (RuntimeException e) {
            out.println("error: " + e.getMessage());
            return 1;
        }
    }

    private void train(List<String> raw) {
        Args args = new Args(raw, Set.of("data", "out", "arch", "epochs", "batch-size", "optimizer", "lr", "min-lr",
                "lr-patience", "seed", "split-seed", "threads", "patience", "loss", "focal-gamma", "augment",
                "limit-per-class", "target-recall", "init-weights", "folds", "events"),
                Set.of("oversample", "no-class-weights"));
        TrainingOptions defaults = TrainingOptions.defaults();
        OptimizerKind optimizer = OptimizerKind.byId(args.get("optimizer", defaults.optimizer().id()));
        LossFunction loss = args.flag("no-class-weights") ? LossFunction.CE
                : LossFunction.byId(args.get("loss", defaults.loss().id()));
        TrainingOptions options = new TrainingOptions(
                Architecture.byId(args.get("arch", defaults.architecture().id())),
                args.integer("epochs", defaults.epochs()),
                args.integer("batch-size", defaults.batchSize()),
                optimizer,
                args.real("lr", optimizer.defaultLearningRate()),
                args.real("min-lr", defaults.minLearningRate()),
                args.integer("lr-patience", defaults.lrPatience()),
                args.integer("seed", (int) defaults.seed()),
                args.integer("split-seed", (int) defaults.splitSeed()),
                args.integer("threads", defaults.threads()),
                args.integer("patience", defaults.patience()),
                loss,
                args.real("focal-gamma", defaults.focalGamma()),
                args.flag("oversample"),
                Augmentation.parse(args.get("augment", "none")),
                args.integer("limit-per-class", defaults.limitPerClass()),
                args.real("target-recall", (float) defaults.targetRecall()),
                args.get("init-weights", null) == null ? null : Path.of(args.get("init-weights", null)));
        Path data = Path.of(args.required("data"));
        Path target = Path.of(args.required("out"));
        TrainingProgress progress = new ConsoleProgress(out);
        String events = args.get("events", null);
        if (events != null) {
            progress = new JsonLinesProgress(Path.of(events), progress);
        }
        out.println("training " + options.architecture().id() + " on " + data + " (" + options.threads() + " threads)");
        int folds = args.integer("folds", 0);
        ClassifierTrainer trainer = new ClassifierTrainer(options, progress);
        if (folds == 0) {
            trainer.train(data, target);
            return;
        }
        CrossValidation summary = CrossValidation.of(trainer.crossValidate(data, target, folds));
        out.print(summary.table());
        try {
            ModelDirectory.json().writeValue(target.resolve(CrossValidation.FILE).toFile(), summary);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + target.resolve(CrossValidation.FILE), e);
        }
        out.println("wrote " + target.resolve(CrossValidation.FILE));
    }

    private void evaluate(List<String> raw) {
        Args args = new Args(raw, Set.of("model", "data", "json", "html", "split", "threads"), Set.of());
        Path modelDir = Path.of(args.required("model"));
        Path data = Path.of(args.required("data"));
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors());
        List<LabelledImage> images = LabelledFolder.read(data);
        String description = data.toString();
        String split = args.get("split", null);
        if (split != null) {
            Split.Part part = parsePart(split);
            images = SplitFile.select(modelDir.resolve(SplitFile.NAME), data, part, images);
            description += " (" + split + " part of the model's split)";
            if (images.isEmpty()) {
                throw new IllegalArgumentException("no image of " + data + " is in the model's " + split + " part");
            }
        }
        ModelCard card = ModelDirectory.read(modelDir);
        FittedImages fitted = FittedImages.load(images, new Preprocessor(card.input()), threads);
        EvaluationReport report;
        try (OnnxClassifier classifier = OnnxClassifier.load(modelDir,
                Map.of("intraOpNumThreads", String.valueOf(threads)))) {
            report = Evaluator.evaluate(classifier, fitted, data, description);
        }
        out.print(report.table());
        write(args.get("json", null), file -> ModelDirectory.json().writeValue(file.toFile(), report));
        write(args.get("html", null), file -> Files.writeString(file, EvaluationHtml.render(report)));
    }

    private void ensemble(List<String> raw) {
        Args args = new Args(raw, Set.of("members", "data", "out", "focal-gamma", "target-recall", "threads"),
                Set.of());
        List<Path> members = Arrays.stream(args.required("members").split(",")).map(String::trim)
                .filter(m -> !m.isEmpty()).map(Path::of).toList();
        EnsembleBuilder builder = new EnsembleBuilder(
                args.integer("threads", Runtime.getRuntime().availableProcessors()),
                args.real("focal-gamma", TrainingOptions.defaults().focalGamma()),
                args.real("target-recall", (float) TrainingOptions.defaults().targetRecall()), new ConsoleProgress(out));
        try {
            builder.build(members, Path.of(args.required("data")), Path.of(args.required("out")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the ensemble: " + e.getMessage(), e);
        }
    }

    private void threshold(List<String> raw) {
        Args args = new Args(raw, Set.of("model", "data", "target-recall", "threads"), Set.of());
        OperatingPointTuner tuner = new OperatingPointTuner(
                args.integer("threads", Runtime.getRuntime().availableProcessors()), new ConsoleProgress(out));
        try {
            tuner.tune(Path.of(args.required("model")), Path.of(args.required("data")),
                    args.real("target-recall", (float) TrainingOptions.defaults().targetRecall()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot rewrite the model's card: " + e.getMessage(), e);
        }
    }

    /** Writes a file the user asked for, creating its folder. */
    private void write(String name, FileWriter writer) {
        if (name == null) {
            return;
        }
        Path file = Path.of(name);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            writer.write(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
        out.println("wrote " + file);
    }

    private interface FileWriter {
        void write(Path file) throws IOException;
    }

    private void bench(List<String> raw) {
        if (raw.isEmpty()) {
            throw new Args.UsageException("bench needs what to measure: training");
        }
        if (raw.get(0).equals("training-one") && raw.size() == 6) {
            out.println(TrainingBenchmark.run(Architecture.byId(raw.get(1)), Integer.parseInt(raw.get(2)),
                    Integer.parseInt(raw.get(3)), Integer.parseInt(raw.get(4)), Integer.parseInt(raw.get(5))).line());
            return;
        }
        if (!raw.get(0).equals("training")) {
            throw new Args.UsageException("unknown benchmark '" + raw.get(0) + "': expected training");
        }
        Args args = new Args(raw.subList(1, raw.size()), Set.of("archs", "batch-size", "steps", "threads",
                "epoch-images"), Set.of());
        List<Architecture> archs = Arrays.stream(args.get("archs", Arrays.stream(Architecture.values())
                .map(Architecture::id).collect(java.util.stream.Collectors.joining(","))).split(","))
                .map(String::trim).map(Architecture::byId).toList();
        TrainingBenchmark.all(archs, args.integer("batch-size", 16), args.integer("steps", 5),
                args.integer("threads", Runtime.getRuntime().availableProcessors()),
                args.integer("epoch-images", 4314), out);
    }

    private static Split.Part parsePart(String name) {
        for (Split.Part part : Split.Part.values()) {
            if (part.name().equalsIgnoreCase(name) || (part == Split.Part.VALIDATION && name.equals("val"))) {
                return part;
            }
        }
        throw new Args.UsageException("--split must be train, validation or test, was '" + name + "'");
    }

    /** Prints progress lines. */
    static final class ConsoleProgress implements TrainingProgress {
        private final PrintStream out;

        ConsoleProgress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void epoch(Epoch e) {
            out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  val accuracy %.4f  val macro-F1 %.4f  val COVID19 recall"
                    + " %.3f  lr %.0e  %.0f s  ~%s left%n", e.epoch(), e.epochs(), e.loss(), e.validationAccuracy(),
                    e.validationMacroF1(), e.validationCovidRecall(), e.learningRate(), e.seconds(),
                    duration(e.secondsLeft()));
        }

        @Override
        public void batch(int epoch, int done, int total, double loss) {
            out.printf(Locale.ROOT, "  epoch %d: %d/%d batches, loss %.4f%n", epoch, done, total, loss);
        }

        @Override
        public void message(String text) {
            out.println(text);
        }

        private static String duration(double seconds) {
            long s = Math.round(seconds);
            return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
        }
    }
}
