package org.cxrscreen.inference.ml;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.cxrscreen.model.ModelCard;

/**
 * The model being served. A swap is atomic: batches that started on the old model finish on it, and
 * it is closed after the last of them.
 */
@ApplicationScoped
public class ModelHolder {

    private final AtomicReference<ServedModel> current = new AtomicReference<>();
    private final Object changed = new Object();

    /**
     * The served model with a reference taken for one batch; call {@link ServedModel#release()} when
     * the batch is done. Empty while no model is served.
     */
    public Optional<ServedModel> acquire() {
        while (true) {
            ServedModel model = current.get();
            if (model == null) {
                return Optional.empty();
            }
            if (model.retain()) {
                return Optional.of(model);
            }
            // swapped and closed between the read and the retain: read again
        }
    }

    /** Serves {@code next} from now on; the model it replaces closes after its last batch. */
    public void swap(ServedModel next) {
        ServedModel old = current.getAndSet(next);
        if (old != null) {
            old.release();
        }
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    /** The card of the served model, if any. */
    public Optional<ModelCard> card() {
        return Optional.ofNullable(current.get()).map(ServedModel::card);
    }

    /** The device the served model runs on, if any. */
    public Optional<String> device() {
        return Optional.ofNullable(current.get()).map(ServedModel::device);
    }

    /** Waits until a model is served; false if none came within the time. */
    public boolean awaitModel(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (changed) {
            while (current.get() == null) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                changed.wait(left);
            }
            return true;
        }
    }

    @PreDestroy
    void close() {
        ServedModel old = current.getAndSet(null);
        if (old != null) {
            old.release();
        }
    }
}
