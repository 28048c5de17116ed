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
import org.cxrscreen.training.ml.Evaluator;
import org.cxrscreen.training.ml.TrainingOptions;
import org.cxrscreen.training.ml.TrainingProgress;

/**
 * The training service's command line, run by {@code ./cxr train} and {@code ./cxr evaluate}. It runs
 * without the service around it: no Kafka, no database.
 */
public final class CxrCli {

    static final String USAGE = """
            usage:
              cxr train --data DIR --out DIR [--arch ID] [--epochs N] [--batch-size N] [--lr X]
                        [--seed N] [--threads N] [--patience N] [--limit-per-class N] [--no-class-weights]
              cxr evaluate --model DIR --data DIR [--json FILE] [--split train|validation|test] [--threads N]

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
        Args args = new Args(raw, Set.of("data", "out", "arch", "epochs", "batch-size", "lr", "seed", "threads",
                "patience", "limit-per-class"), Set.of("no-class-weights"));
        TrainingOptions defaults = TrainingOptions.defaults();
        TrainingOptions options = new TrainingOptions(
                Architecture.byId(args.get("arch", defaults.architecture().id())),
                args.integer("epochs", defaults.epochs()),
                args.integer("batch-size", defaults.batchSize()),
                args.real("lr", defaults.learningRate()),
                args.integer("seed", (int) defaults.seed()),
                args.integer("threads", defaults.threads()),
                args.integer("patience", defaults.patience()),
                !args.flag("no-class-weights"),
                args.integer("limit-per-class", defaults.limitPerClass()));
        Path data = Path.of(args.required("data"));
        Path target = Path.of(args.required("out"));
        out.println("training " + options.architecture().id() + " on " + data + " (" + options.threads() + " threads)");
        new ClassifierTrainer(options, new ConsoleProgress(out)).train(data, target);
    }

    private void evaluate(List<String> raw) {
        Args args = new Args(raw, Set.of("model", "data", "json", "split", "threads"), Set.of());
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
            report = Evaluator.evaluate(classifier, fitted, description).report();
        }
        out.print(report.table());
        String json = args.get("json", null);
        if (json != null) {
            try {
                Path file = Path.of(json);
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                ModelDirectory.json().writeValue(file.toFile(), report);
                out.println("wrote " + file);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + json + ": " + e.getMessage(), e);
            }
        }
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
                    + " %.3f  %.0f s  ~%s left%n", e.epoch(), e.epochs(), e.loss(), e.validationAccuracy(),
                    e.validationMacroF1(), e.validationCovidRecall(), e.seconds(), duration(e.secondsLeft()));
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
