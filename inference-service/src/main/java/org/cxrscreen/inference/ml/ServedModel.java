package org.cxrscreen.inference.ml;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.imaging.Preprocessor;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.OnnxClassifier;

/**
 * One loaded model version. Each worker thread that runs it gets a predictor of its own, never shared.
 * The model is reference counted: the {@link ModelHolder} holds one reference while it serves it and
 * every batch holds one while it runs, so a swapped-out model closes only when its last batch is done.
 */
public final class ServedModel {

    private final OnnxClassifier classifier;
    private final Preprocessor preprocessor;
    private final Map<Thread, Predictor<GrayImage, ClassProbabilities>> predictors = new ConcurrentHashMap<>();
    private final AtomicInteger references = new AtomicInteger(1);

    ServedModel(OnnxClassifier classifier) {
        this.classifier = classifier;
        this.preprocessor = new Preprocessor(classifier.card().input());
    }

    public ModelCard card() {
        return classifier.card();
    }

    public String version() {
        return classifier.card().version();
    }

    /** The device it runs on: cpu, cuda or tensorrt. */
    public String device() {
        return classifier.provider().id();
    }

    /** Resize and crop for this model's input: run ahead of the model, off the inference threads. */
    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /**
     * Classifies a batch in one run of the network, with the calling thread's own predictor.
     *
     * @throws TranslateException when the network fails on the batch
     */
    public List<ClassProbabilities> classify(List<GrayImage> images) throws TranslateException {
        Predictor<GrayImage, ClassProbabilities> predictor =
                predictors.computeIfAbsent(Thread.currentThread(), t -> classifier.newPredictor());
        return predictor.batchPredict(images);
    }

    /** Takes a reference for a batch; false when the model is already closed. */
    boolean retain() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives a reference back; the last one closes the model and its predictors. */
    public void release() {
        if (references.decrementAndGet() == 0) {
            predictors.values().forEach(Predictor::close);
            predictors.clear();
            classifier.close();
        }
    }
}
