package org.cxrscreen.training.loop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.imaging.InputSpec;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.ExecutionProvider;
import org.cxrscreen.model.FileTrees;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.OnnxClassifier;
import org.cxrscreen.training.config.TrainingConfig;
import org.cxrscreen.training.data.Augmentation;
import org.cxrscreen.training.data.FittedImages;
import org.cxrscreen.training.data.LabelledImage;
import org.cxrscreen.training.data.Split;
import org.cxrscreen.training.dataset.DataSet;
import org.cxrscreen.training.dataset.ImageStore;
import org.cxrscreen.training.domain.ModelRegistry;
import org.cxrscreen.training.domain.PromotionGate;
import org.cxrscreen.training.ml.Architecture;
import org.cxrscreen.training.ml.ClassifierTrainer;
import org.cxrscreen.training.ml.Evaluator;
import org.cxrscreen.training.ml.LossFunction;
import org.cxrscreen.training.ml.Network;
import org.cxrscreen.training.ml.OptimizerKind;
import org.cxrscreen.training.ml.TrainingOptions;
import org.cxrscreen.training.persistence.Promotion;
import org.cxrscreen.training.persistence.TrainingRun;
import org.cxrscreen.training.persistence.TrainingRun.Kind;
import org.cxrscreen.training.persistence.TrainingRun.Status;
import org.jboss.logging.Logger;

/**
 * Training runs, one at a time on their own thread: a bootstrap run trains a starter model on the
 * base set; a scheduled or manual run fine-tunes the serving model on the new labels plus a replay
 * sample. Each candidate is scored with the serving model on the frozen test set and on the latest
 * disagreement cases, judged by the {@link PromotionGate}, and promoted only if it passes. Every run
 * is recorded with its data counts, both models' figures, the decision and the reasons.
 */
@ApplicationScoped
public class Runs {

    private static final Logger LOG = Logger.getLogger(Runs.class);
    private static final ObjectMapper JSON = ModelDirectory.json();

    /** A run was asked for while another is queued or running. */
    public static final class Busy extends RuntimeException {
        Busy(long id) {
            super("run " + id + " is already queued or running; one run at a time");
        }
    }

    private final TrainingConfig config;
    private final DataSet dataSet;
    private final ImageStore images;
    private final Promotions promotions;
    private final PromotionGate gate;
    private final int threads;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "training-run");
        thread.setDaemon(true);
        return thread;
    });
    private volatile RunProgress current;
    private volatile long currentId;

    public Runs(TrainingConfig config, DataSet dataSet, ImageStore images, Promotions promotions) {
        this.config = config;
        this.dataSet = dataSet;
        this.images = images;
        this.promotions = promotions;
        this.gate = new PromotionGate(config.gate().macroF1Tolerance(), config.gate().covidRecallTarget());
        this.threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        ClassifierTrainer.configureEngine(threads);
    }

    /** Runs a task on the run thread, after any run queued before it. */
    void submit(Runnable task) {
        executor.submit(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("training task failed", e);
            }
        });
    }

    /**
     * Queues a run; it starts when the run thread is free.
     *
     * @throws Busy when a run is queued or running
     * @throws IllegalArgumentException when the options are not valid
     */
    public TrainingRun request(Kind kind, String by, RunRequest request) {
        if (kind != Kind.BOOTSTRAP) {
            options(request, Architecture.COMPACT_CNN_S, kind);
        }
        TrainingRun run = QuarkusTransaction.requiringNew().call(() -> {
            Optional<TrainingRun> active = TrainingRun.<TrainingRun>find("status in ?1 order by id",
                    List.of(Status.QUEUED, Status.RUNNING)).firstResultOptional();
            if (active.isPresent()) {
                throw new Busy(active.get().id);
            }
            TrainingRun created = new TrainingRun();
            created.kind = kind;
            created.status = Status.QUEUED;
            created.requestedBy = by;
            created.requestedAt = Instant.now();
            created.options = json(request);
            created.persist();
            return created;
        });
        LOG.infof("run %d (%s) requested by %s", run.id, kind, by);
        long id = run.id;
        submit(() -> execute(id, request));
        return run;
    }

    /** Runs queued before a restart are started again; one cut off while running is marked failed. */
    void recover() {
        List<TrainingRun> queued = QuarkusTransaction.requiringNew().call(() -> {
            TrainingRun.<TrainingRun>list("status", Status.RUNNING).forEach(r -> {
                r.status = Status.FAILED;
                r.finishedAt = Instant.now();
                r.error = "interrupted: the service stopped during the run";
            });
            return TrainingRun.<TrainingRun>list("status = ?1 order by id", Status.QUEUED);
        });
        for (TrainingRun run : queued) {
            RunRequest request = read(run.options, RunRequest.class);
            submit(() -> execute(run.id, request == null ? RunRequest.NONE : request));
        }
    }

    /** Whether a run is queued or running. */
    public boolean active() {
        return QuarkusTransaction.requiringNew().call(() -> TrainingRun.count("status in ?1",
                List.of(Status.QUEUED, Status.RUNNING)) > 0);
    }

    /** Labels after this sequence number count as new for the schedule. */
    public long labelsSeen() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Number seen = (Number) TrainingRun.getEntityManager().createQuery("select coalesce(max(r.labelsThrough), 0) "
                    + "from TrainingRun r where r.status <> :failed").setParameter("failed", Status.FAILED)
                    .getSingleResult();
            return seen.longValue();
        });
    }

    /** The latest runs, latest first. */
    public List<RunView> list(int limit) {
        return QuarkusTransaction.requiringNew().call(() -> TrainingRun.<TrainingRun>find("order by id desc")
                .page(0, limit).list().stream().map(r -> RunView.of(r, live(r.id))).toList());
    }

    /** One run, with its live progress while it runs. */
    public Optional<RunView> view(long id) {
        return QuarkusTransaction.requiringNew().call(() -> TrainingRun.<TrainingRun>findByIdOptional(id)
                .map(r -> RunView.of(r, live(id))));
    }

    private RunProgress.Snapshot live(long id) {
        RunProgress progress = current;
        return progress != null && currentId == id ? progress.snapshot() : null;
    }

    private void execute(long id, RunRequest request) {
        long started = System.nanoTime();
        TrainingRun run = QuarkusTransaction.requiringNew().call(() -> {
            TrainingRun r = TrainingRun.findById(id);
            r.status = Status.RUNNING;
            r.startedAt = Instant.now();
            return r;
        });
        RunProgress progress = new RunProgress(id, snapshot -> QuarkusTransaction.requiringNew().run(() -> {
            TrainingRun r = TrainingRun.findById(id);
            r.progress = json(snapshot);
        }));
        currentId = id;
        current = progress;
        try {
            Outcome outcome = perform(run, request, progress);
            QuarkusTransaction.requiringNew().run(() -> {
                TrainingRun r = TrainingRun.findById(id);
                r.candidateVersion = outcome.candidate().card().version();
                r.servingMetrics = outcome.serving() == null ? null : json(outcome.serving());
                r.candidateMetrics = json(outcome.candidateScores());
                r.decision = outcome.decision().promote() ? "PROMOTE" : "REJECT";
                r.reasons = json(outcome.decision().reasons());
                r.status = outcome.decision().promote() ? Status.PROMOTED : Status.REJECTED;
                r.progress = json(progress.snapshot());
                r.finishedAt = Instant.now();
                r.seconds = (System.nanoTime() - started) / 1e9;
                if (outcome.decision().promote()) {
                    promotions.promote(outcome.candidate(), "run " + id,
                            run.kind == Kind.BOOTSTRAP ? Promotion.Reason.BOOTSTRAP : Promotion.Reason.GATE, id);
                }
            });
            LOG.infof("run %d: candidate %s %s in %.0f s: %s", id, outcome.candidate().card().version(),
                    outcome.decision().promote() ? "PROMOTED" : "REJECTED", (System.nanoTime() - started) / 1e9,
                    outcome.decision().reasons());
            promotions.publishPending();
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            // recorded, so a native-library or memory failure does not leave the run RUNNING for ever
            LOG.errorf(e, "run %d failed", id);
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            QuarkusTransaction.requiringNew().run(() -> {
                TrainingRun r = TrainingRun.findById(id);
                r.status = Status.FAILED;
                r.error = message;
                r.progress = json(progress.snapshot());
                r.finishedAt = Instant.now();
                r.seconds = (System.nanoTime() - started) / 1e9;
            });
        } finally {
            current = null;
        }
    }

    /**
     * A model's figures, labels at its operating point, on the frozen test set and on the disagreement
     * cases (null when there are none).
     */
    public record Scores(String version, PromotionGate.Figures test, PromotionGate.Figures disagreements) {
    }

    /** What a run found (its data and options are recorded as it starts): the scores and the decision. */
    private record Outcome(ModelRegistry.Entry candidate, Scores serving, Scores candidateScores,
            PromotionGate.Decision decision) {
    }

    private Outcome perform(TrainingRun run, RunRequest request, RunProgress progress) {
        ModelRegistry registry = promotions.registry();
        Optional<ModelRegistry.Entry> base = promotions.current().map(p -> registry.find(p.version)
                .orElseThrow(() -> new IllegalStateException("the serving version " + p.version + " is not in "
                        + config.modelsDir() + " or does not verify")));
        DataSet.RunData data;
        if (run.kind == Kind.BOOTSTRAP) {
            data = dataSet.forBootstrap();
        } else {
            ModelRegistry.Entry serving = base.orElseThrow(() -> new IllegalStateException(
                    "no model serves yet: a fine-tuning run needs one (the bootstrap run trains the first)"));
            if (serving.card().members() != null || !Files.isRegularFile(serving.dir().resolve(Network.PARAMETERS))) {
                throw new IllegalStateException("the serving model " + serving.card().version() + " has no "
                        + Network.PARAMETERS + " (an ensemble or a model trained elsewhere): fine-tuning needs a "
                        + "single network trained by this service or the CLI");
            }
            data = dataSet.forFineTuning(servingLabelsThrough(serving.card().version()),
                    config.fineTune().replayPerLabel(), config.fineTune().replayMin(),
                    config.gate().disagreementCases(), config.fineTune().seed() + run.id);
        }
        if (data.test().isEmpty() || data.validation().isEmpty()) {
            throw new IllegalStateException("no base set with validation and frozen test parts: import a labelled "
                    + "folder first (POST /api/v1/dataset/import, or training.bootstrap.data)");
        }
        if (data.train().isEmpty()) {
            throw new IllegalStateException("nothing to train on: no new labels and no base training images");
        }
        Architecture architecture = run.kind == Kind.BOOTSTRAP ? Architecture.byId(config.bootstrap().architecture())
                : Architecture.byId(base.get().card().architecture());
        TrainingOptions options = options(request, architecture, run.kind);
        QuarkusTransaction.requiringNew().run(() -> {
            TrainingRun r = TrainingRun.findById(run.id);
            r.options = json(options);
            r.data = json(data.counts());
            r.baseVersion = base.map(b -> b.card().version()).orElse(null);
            r.labelsThrough = data.labelsThrough();
        });
        Split split = data.split();
        if (request.drill()) {
            split = shuffledLabels(split, options.seed());
            progress.message("gate drill: the training labels are randomly permuted");
        }
        progress.planned(options.epochs());
        progress.phase(String.format(Locale.ROOT, "training %s %s: %d images (%d new labels), %d epochs at most",
                run.kind == Kind.BOOTSTRAP ? "a starter" : "on from " + base.get().card().version(),
                architecture.id(), data.train().size(), data.newLabels(), options.epochs()));
        Path partial = config.modelsDir().resolve(".partial").resolve("run-" + run.id);
        FileTrees.delete(partial);
        ModelCard card = new ClassifierTrainer(options, progress).train(images.root(),
                "training-service data set, run " + run.id, split, partial,
                run.kind == Kind.BOOTSTRAP ? null : base.get().dir());
        Path dir = config.modelsDir().resolve(card.version());
        try {
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the candidate to " + dir + ": " + e.getMessage(), e);
        }
        ModelRegistry.Entry candidate = new ModelRegistry.Entry(card, dir);

        progress.phase("scoring the serving model on the frozen test set, both on the disagreement cases");
        Preprocessor preprocessor = new Preprocessor(InputSpec.DEFAULT);
        FittedImages disagreements = FittedImages.load(data.disagreements(), preprocessor, threads);
        Scores candidateScores = scores(candidate, null, disagreements);
        Optional<Scores> servingScores = base.map(b -> scores(b, FittedImages.load(data.test(), preprocessor, threads),
                disagreements));
        PromotionGate.Decision decision = gate.decide(servingScores.map(Scores::test), candidateScores.test());
        progress.phase("decided: " + (decision.promote() ? "promote" : "reject") + " " + card.version());
        return new Outcome(candidate, servingScores.orElse(null), candidateScores, decision);
    }

    /**
     * A model's scores, labels at its operating point, on ONNX Runtime as served, with one session.
     *
     * @param test the frozen test set, or null for a candidate: the trainer scored it on the same test
     *     part, and its card carries the report
     */
    private Scores scores(ModelRegistry.Entry model, FittedImages test, FittedImages disagreements) {
        ModelCard card = model.card();
        PromotionGate.Figures onTest = test != null ? null : PromotionGate.Figures.ofCard(card).orElseThrow(
                () -> new IllegalStateException("the candidate's card has no test report"));
        if (test == null && disagreements.size() == 0) {
            return new Scores(card.version(), onTest, null);
        }
        try (OnnxClassifier classifier = OnnxClassifier.load(model.dir(), card,
                Map.of("intraOpNumThreads", String.valueOf(threads)), ExecutionProvider.CPU,
                ExecutionProvider.GpuOptions.DEFAULT)) {
            return new Scores(card.version(), test != null ? score(classifier, test) : onTest,
                    disagreements.size() == 0 ? null : score(classifier, disagreements));
        }
    }

    private PromotionGate.Figures score(OnnxClassifier classifier, FittedImages images) {
        return PromotionGate.Figures.of(Evaluator.evaluate(classifier, images, this.images.root(), "run"));
    }

    private long servingLabelsThrough(String version) {
        return QuarkusTransaction.requiringNew().call(() -> TrainingRun.<TrainingRun>find(
                "candidateVersion = ?1 order by id desc", version).firstResultOptional()
                .map(r -> r.labelsThrough == null ? 0L : r.labelsThrough).orElse(0L));
    }

    /** The training options of a run: the configured ones, overridden by the request's. */
    TrainingOptions options(RunRequest request, Architecture architecture, Kind kind) {
        TrainingConfig.FineTune tune = config.fineTune();
        OptimizerKind optimizer = OptimizerKind.byId(request.optimizer() != null ? request.optimizer() : tune.optimizer());
        float rate = request.learningRate() != null ? request.learningRate()
                : kind == Kind.BOOTSTRAP ? optimizer.defaultLearningRate() : tune.learningRate();
        int epochs = request.epochs() != null ? request.epochs()
                : kind == Kind.BOOTSTRAP ? config.bootstrap().epochs() : tune.epochs();
        return new TrainingOptions(architecture, epochs,
                request.batchSize() != null ? request.batchSize() : tune.batchSize(), optimizer, rate, 1e-6f,
                1, request.seed() != null ? request.seed() : tune.seed(), config.bootstrap().splitSeed(), threads,
                request.patience() != null ? request.patience() : tune.patience(),
                LossFunction.byId(request.loss() != null ? request.loss() : tune.loss()),
                request.focalGamma() != null ? request.focalGamma() : tune.focalGamma(),
                request.oversample() != null ? request.oversample() : tune.oversample(),
                Augmentation.parse(request.augment() != null ? request.augment() : tune.augment().orElse("")), 0,
                request.targetRecall() != null ? request.targetRecall() : tune.targetRecall(), null);
    }

    /** The split with its training labels randomly permuted among the training images. */
    static Split shuffledLabels(Split split, long seed) {
        List<ScreeningClass> labels = new ArrayList<>(split.train().stream().map(LabelledImage::label).toList());
        Collections.shuffle(labels, new Random(seed));
        List<LabelledImage> train = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            LabelledImage image = split.train().get(i);
            train.add(new LabelledImage(image.file(), labels.get(i), image.patient(), image.source()));
        }
        return new Split(train, split.validation(), split.test(), split.warnings());
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static com.fasterxml.jackson.databind.JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return json == null ? null : JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read " + json, e);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
