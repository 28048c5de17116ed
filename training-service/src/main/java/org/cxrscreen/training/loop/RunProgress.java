package org.cxrscreen.training.loop;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.cxrscreen.training.ml.TrainingProgress;
import org.jboss.logging.Logger;

/** A running job's progress, as {@code GET /api/v1/runs/{id}} shows it; each finished epoch is also saved. */
final class RunProgress implements TrainingProgress {

    private static final Logger LOG = Logger.getLogger(RunProgress.class);
    private static final int MESSAGES = 30;

    /** What the run is doing now. */
    public record Snapshot(String phase, int epoch, int epochs, Integer batch, Integer batches, Double loss,
            Double validationMacroF1, Double validationCovidRecall, double elapsedSeconds, Double secondsLeft,
            List<String> messages) {
    }

    private final long runId;
    private final long started = System.nanoTime();
    private final Consumer<Snapshot> onEpoch;
    private final Deque<String> messages = new ArrayDeque<>();
    private volatile String phase = "preparing data";
    private volatile Epoch last;
    private volatile int epoch;
    private volatile int epochs;
    private volatile Integer batch;
    private volatile Integer batches;
    private volatile Double loss;

    RunProgress(long runId, Consumer<Snapshot> onEpoch) {
        this.runId = runId;
        this.onEpoch = onEpoch;
    }

    void planned(int epochCount) {
        epochs = epochCount;
    }

    void phase(String phase) {
        this.phase = phase;
        message(phase);
    }

    @Override
    public void epoch(Epoch finished) {
        last = finished;
        epoch = finished.epoch();
        epochs = finished.epochs();
        batch = null;
        batches = null;
        loss = finished.loss();
        phase = "training";
        LOG.infof("run %d: epoch %d/%d, loss %.4f, validation macro-F1 %.4f, COVID-19 recall %.3f, %.0f s left", runId,
                finished.epoch(), finished.epochs(), finished.loss(), finished.validationMacroF1(),
                finished.validationCovidRecall(), finished.secondsLeft());
        onEpoch.accept(snapshot());
    }

    @Override
    public void batch(int inEpoch, int done, int total, double runningLoss) {
        phase = "training";
        epoch = inEpoch;
        batch = done;
        batches = total;
        loss = runningLoss;
    }

    @Override
    public void message(String text) {
        LOG.infof("run %d: %s", runId, text);
        synchronized (messages) {
            messages.addLast(text);
            while (messages.size() > MESSAGES) {
                messages.removeFirst();
            }
        }
    }

    Snapshot snapshot() {
        Epoch done = last;
        List<String> lines;
        synchronized (messages) {
            lines = List.copyOf(messages);
        }
        return new Snapshot(phase, epoch, epochs, batch, batches, loss,
                done == null ? null : done.validationMacroF1(), done == null ? null : done.validationCovidRecall(),
                (System.nanoTime() - started) / 1e9, done == null ? null : done.secondsLeft(), lines);
    }
}
