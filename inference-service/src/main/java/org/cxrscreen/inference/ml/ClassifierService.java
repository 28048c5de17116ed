package org.cxrscreen.inference.ml;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.MemberPrediction;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.inference.config.InferenceConfig;
import org.cxrscreen.model.ClassProbabilities;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.OnnxClassifier;
import org.jboss.logging.Logger;

/**
 * Holds the served model: loaded and verified at start (the service does not start without a valid
 * model), warmed up with one prediction, and closed on shutdown. Its predictor is lent to one thread
 * at a time, never shared.
 */
@ApplicationScoped
@Startup
public class ClassifierService {

    private static final Logger LOG = Logger.getLogger(ClassifierService.class);

    private final OnnxClassifier classifier;
    private final BlockingQueue<Predictor<GrayImage, ClassProbabilities>> predictors;
    private final String worker;
    private volatile boolean warm;

    public ClassifierService(InferenceConfig config) {
        Map<String, String> options = new HashMap<>(config.engineOptions());
        options.putIfAbsent("intraOpNumThreads", String.valueOf(config.intraOpThreads()));
        options.putIfAbsent("interOpNumThreads", "1");
        this.classifier = OnnxClassifier.load(config.modelPath(), options);
        // The consumer classifies one image at a time: one predictor, lent to one thread at a time.
        this.predictors = new ArrayBlockingQueue<>(1);
        predictors.add(classifier.newPredictor());
        this.worker = config.workerId().orElseGet(() -> ManagementFactory.getRuntimeMXBean().getName());
        warmUp();
        ModelCard card = classifier.card();
        LOG.infof("serving model %s (%s, %s) from %s", card.version(), card.architecture(), card.sha256(),
                config.modelPath());
    }

    private void warmUp() {
        int size = classifier.card().input().size();
        classify(new GrayImage(size, size, new byte[size * size]));
        warm = true;
    }

    /** The card of the model being served. */
    public ModelCard card() {
        return classifier.card();
    }

    /** True once the model has answered its warm-up prediction. */
    public boolean warm() {
        return warm;
    }

    /**
     * Classifies one image of the images topic.
     *
     * @throws org.cxrscreen.imaging.ImageRejectedException when its PNG is not a canonical image
     */
    public PredictionMade classify(ImageReceived image) {
        long start = System.nanoTime();
        GrayImage gray = CanonicalImages.decodePng(image.png());
        ClassProbabilities output = classify(gray);
        double millis = (System.nanoTime() - start) / 1e6;
        ModelCard card = classifier.card();
        List<MemberPrediction> members = output.members().isEmpty() ? null : output.members().stream()
                .map(m -> new MemberPrediction(m.model(), output.mostProbable(m.probabilities()),
                        output.asMap(m.probabilities())))
                .toList();
        return new PredictionMade(UUID.randomUUID(), Instant.now(), PredictionMade.SCHEMA_VERSION,
                image.imageId(), card.name(), card.version(), output.label(), output.asMap(), worker, millis,
                image.receivedAt(), members);
    }

    private ClassProbabilities classify(GrayImage image) {
        Predictor<GrayImage, ClassProbabilities> predictor;
        try {
            predictor = predictors.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a predictor", e);
        }
        try {
            return predictor.predict(image);
        } catch (TranslateException e) {
            throw new IllegalStateException("the model failed on the image: " + e.getMessage(), e);
        } finally {
            predictors.add(predictor);
        }
    }

    @PreDestroy
    void close() {
        predictors.forEach(Predictor::close);
        classifier.close();
    }
}
