package org.cxrscreen.training.ml;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.ClassifierTranslator;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.model.OnnxGraph;
import org.cxrscreen.model.OperatingPoint;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.data.LabelledFolder;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.data.Split;
import org.cxrscreen.training.data.SplitFile;
import org.cxrscreen.training.domain.EvaluationHtml;
import org.cxrscreen.training.domain.EvaluationReport;
import org.cxrscreen.training.domain.OperatingPoints;

/**
 * FLANNEL's ensemble: trained models (the base learners, which must share one patient split) are
 * combined by weights learned on the validation part under focal loss, and written as one ONNX graph
 * that runs every member on the same input. The graph's outputs are {@code probabilities} (the
 * combination) and {@code member_probabilities} (N x members x classes), so each member's view of
 * an image is kept. The ensemble gets its own operating point, report and card like any model.
 */
public final class EnsembleBuilder {

    private static final DateTimeFormatter VERSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final int threads;
    private final float gamma;
    private final double targetRecall;
    private final TrainingProgress progress;

    public EnsembleBuilder(int threads, float gamma, double targetRecall, TrainingProgress progress) {
        this.threads = threads;
        this.gamma = gamma;
        this.targetRecall = targetRecall;
        this.progress = progress;
    }

    /** Combines the members and writes the ensemble's model directory {@code out}. */
    public ModelCard build(List<Path> memberDirs, Path data, Path out) throws IOException {
        long started = System.nanoTime();
        if (memberDirs.size() < 2) {
            throw new IllegalArgumentException("an ensemble needs at least two members");
        }
        if (ModelDirectory.isModel(out)) {
            throw new IllegalArgumentException(out + " already holds a model; choose another --out");
        }
        List<ModelCard> cards = memberDirs.stream().map(ModelDirectory::read).toList();
        ModelCard first = cards.get(0);
        for (int m = 1; m < cards.size(); m++) {
            if (!cards.get(m).classes().equals(first.classes()) || !cards.get(m).input().equals(first.input())) {
                throw new IllegalArgumentException("member " + memberDirs.get(m) + " has other classes or another "
                        + "input than " + memberDirs.get(0));
            }
        }
        checkSameSplit(memberDirs);
        List<LabelledImage> images = LabelledFolder.read(data);
        Path splits = memberDirs.get(0).resolve(SplitFile.NAME);
        Preprocessor preprocessor = new Preprocessor(first.input());
        FittedImages validation = FittedImages.load(SplitFile.select(splits, data, Split.Part.VALIDATION, images),
                preprocessor, threads);
        FittedImages test = FittedImages.load(SplitFile.select(splits, data, Split.Part.TEST, images), preprocessor,
                threads);
        if (validation.size() == 0 || test.size() == 0) {
            throw new IllegalArgumentException("the members' validation or test part is not in " + data);
        }

        List<String> names = new ArrayList<>();
        List<float[][]> validationOutputs = new ArrayList<>();
        List<float[][]> testOutputs = new ArrayList<>();
        Map<String, String> engineOptions = Map.of("intraOpNumThreads", String.valueOf(threads));
        for (int m = 0; m < memberDirs.size(); m++) {
            ModelCard card = cards.get(m);
            names.add(card.architecture() + "@" + card.version());
            try (OnnxClassifier member = OnnxClassifier.load(memberDirs.get(m), engineOptions)) {
                validationOutputs.add(probabilities(Evaluator.predict(member, validation)));
                testOutputs.add(probabilities(Evaluator.predict(member, test)));
            }
            progress.message("member " + names.get(m) + ": predicted " + validation.size() + " validation and "
                    + test.size() + " test images");
        }

        List<ScreeningClass> classes = first.classes();
        int[] labels = validation.images().stream().mapToInt(i -> classes.indexOf(i.label())).toArray();
        EnsembleWeights weights = EnsembleWeights.learn(validationOutputs, labels, classes.size(), gamma);
        progress.message("learned member weights (per class, on the validation part, focal loss gamma " + gamma
                + "): " + weights.describe(names, classes));

        Files.createDirectories(out);
        Path onnx = out.resolve(ModelDirectory.ONNX);
        writeGraph(memberDirs, cards, weights, classes.size(), onnx);
        String sha256 = ModelDirectory.sha256(onnx);
        Instant created = Instant.now();
        String version = VERSION_TIME.format(created) + "-" + sha256.substring(0, 8);
        Files.copy(splits, out.resolve(SplitFile.NAME), StandardCopyOption.REPLACE_EXISTING);
        ObjectNode training = ModelDirectory.json().createObjectNode();
        training.set("members", ModelDirectory.json().valueToTree(names));
        training.set("memberDirectories", ModelDirectory.json().valueToTree(
                memberDirs.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList()));
        training.set("weights", ModelDirectory.json().valueToTree(weights.alpha()));
        training.put("focalGamma", gamma);
        training.put("data", data.toAbsolutePath().normalize().toString());
        ModelCard plain = new ModelCard(ClassifierTrainer.MODEL_NAME, version, "ensemble", created, classes,
                first.input(), ModelDirectory.ONNX, sha256, null, names, null, training);
        ModelDirectory.write(out, plain);

        Optional<OperatingPoint> point;
        try (OnnxClassifier ensemble = OnnxClassifier.load(out, engineOptions)) {
            List<ClassProbabilities> outputs = Evaluator.predict(ensemble, validation);
            point = OperatingPoints.select(validation.images().stream().map(LabelledImage::label).toList(), outputs,
                    ScreeningClass.COVID19, targetRecall);
        }
        ModelCard withPoint = new ModelCard(plain.name(), version, plain.architecture(), created, classes,
                first.input(), ModelDirectory.ONNX, sha256, point.orElse(null), names, null, training);
        ModelDirectory.write(out, withPoint);

        EvaluationReport report;
        double maxDiff = 0;
        try (OnnxClassifier ensemble = OnnxClassifier.load(out, engineOptions)) {
            List<ClassProbabilities> served = Evaluator.predict(ensemble, test);
            report = Evaluator.report(withPoint, test, served, data, data + " (test part)");
            for (int i = 0; i < served.size(); i++) {
                float[] expected = weights.combine(testOutputs, i);
                float[] p = served.get(i).probabilities();
                for (int c = 0; c < p.length; c++) {
                    maxDiff = Math.max(maxDiff, Math.abs(p[c] - expected[c]));
                }
            }
        }
        training.put("onnxParityMaxAbsDiff", maxDiff);
        training.put("seconds", (System.nanoTime() - started) / 1e9);
        ModelCard done = new ModelCard(plain.name(), version, plain.architecture(), created, classes, first.input(),
                ModelDirectory.ONNX, sha256, point.orElse(null), names, ModelDirectory.json().valueToTree(report),
                training);
        ModelDirectory.write(out, done);
        ModelDirectory.json().writeValue(out.resolve(ClassifierTrainer.REPORT_JSON).toFile(), report);
        Files.writeString(out.resolve(ClassifierTrainer.REPORT_HTML), EvaluationHtml.render(report));
        progress.message(String.format(Locale.ROOT,
                "ONNX ensemble vs its members combined in Java on %d test images: max abs difference %.2e",
                test.size(), maxDiff));
        progress.message("test part, as served (ONNX Runtime):\n" + report.table());
        progress.message("ensemble " + version + " written to " + out);
        return done;
    }

    /** Members must have been trained on the same split, or the validation part would be seen data. */
    private static void checkSameSplit(List<Path> memberDirs) throws IOException {
        Set<String> reference = null;
        for (Path dir : memberDirs) {
            Path file = dir.resolve(SplitFile.NAME);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(dir + " has no " + SplitFile.NAME + ": it was not trained by this tool");
            }
            Set<String> lines = new HashSet<>(Files.readAllLines(file));
            if (reference == null) {
                reference = lines;
            } else if (!reference.equals(lines)) {
                throw new IllegalArgumentException("the members were trained on different splits (" + dir + " differs "
                        + "from " + memberDirs.get(0) + "): train them on the same data with the same --split-seed");
            }
        }
    }

    private static float[][] probabilities(List<ClassProbabilities> outputs) {
        float[][] p = new float[outputs.size()][];
        for (int i = 0; i < p.length; i++) {
            p[i] = outputs.get(i).probabilities();
        }
        return p;
    }

    private static void writeGraph(List<Path> memberDirs, List<ModelCard> cards, EnsembleWeights weights, int classes,
            Path onnx) throws IOException {
        OnnxGraph graph = new OnnxGraph("cxr-ensemble");
        ModelCard first = cards.get(0);
        String input = graph.input(Network.INPUT, -1, first.input().channels(), first.input().size(),
                first.input().size());
        String axis1 = graph.constant("axes_1", 1);
        String[] stacked = new String[memberDirs.size()];
        for (int m = 0; m < memberDirs.size(); m++) {
            ModelProto member = ModelProto.parseFrom(Files.readAllBytes(memberDirs.get(m).resolve(cards.get(m)
                    .onnxFile())));
            Map<String, String> outputs = graph.include(member, "m" + m + "/", input);
            String p = outputs.get(ClassifierTranslator.PROBABILITIES);
            if (p == null) {
                throw new IllegalArgumentException(memberDirs.get(m) + "'s graph has no output named "
                        + ClassifierTranslator.PROBABILITIES);
            }
            stacked[m] = graph.node("Unsqueeze", new String[] {p, axis1});
        }
        String members = graph.node("Concat", stacked, OnnxGraph.integer("axis", 1));
        float[] alpha = new float[memberDirs.size() * classes];
        for (int m = 0; m < memberDirs.size(); m++) {
            System.arraycopy(weights.alpha()[m], 0, alpha, m * classes, classes);
        }
        String weighted = graph.node("Mul", new String[] {members, graph.initializer("member_weights", alpha, 1,
                memberDirs.size(), classes)});
        String scores = graph.node("ReduceSum", new String[] {weighted, axis1}, OnnxGraph.integer("keepdims", 0));
        String total = graph.node("ReduceSum", new String[] {scores, axis1}, OnnxGraph.integer("keepdims", 1));
        String probabilities = graph.node("Div", new String[] {scores, total});
        graph.output(ClassifierTranslator.PROBABILITIES, probabilities, -1, classes);
        graph.output(ClassifierTranslator.MEMBER_PROBABILITIES, members, -1, memberDirs.size(), classes);
        try {
            graph.write(onnx, "cxr-screening training-service (ensemble)", "0.1.0");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
