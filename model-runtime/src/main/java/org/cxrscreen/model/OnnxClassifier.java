package org.cxrscreen.model;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.cxrscreen.imaging.GrayImage;

/**
 * A model directory loaded on DJL's ONNX Runtime engine. One instance per process; each thread that
 * classifies takes its own {@link Predictor} from {@link #newPredictor()}. Close it to free the
 * native session.
 */
public final class OnnxClassifier implements AutoCloseable {

    /** The DJL engine name of ONNX Runtime. */
    public static final String ENGINE = "OnnxRuntime";

    private final ModelCard card;
    private final ZooModel<GrayImage, ClassProbabilities> model;

    private OnnxClassifier(ModelCard card, ZooModel<GrayImage, ClassProbabilities> model) {
        this.card = card;
        this.model = model;
    }

    /**
     * Verifies and loads a model directory.
     *
     * @param engineOptions ONNX Runtime options as DJL names them ({@code intraOpNumThreads},
     *     {@code interOpNumThreads}, {@code ortDevice}, ...)
     * @throws ModelLoadException when the directory is not a valid model
     */
    public static OnnxClassifier load(Path dir, Map<String, String> engineOptions) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        ModelCard card = ModelDirectory.read(dir);
        Criteria.Builder<GrayImage, ClassProbabilities> criteria = Criteria.builder()
                .setTypes(GrayImage.class, ClassProbabilities.class)
                .optEngine(ENGINE)
                .optModelPath(dir.resolve(card.onnxFile()))
                .optTranslator(new ClassifierTranslator(card.input(), card.classes(), card.operatingPoint(),
                        card.members()));
        engineOptions.forEach(criteria::optOption);
        try {
            return new OnnxClassifier(card, criteria.build().loadModel());
        } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
            throw new ModelLoadException("cannot load model " + card.version() + " from " + dir + ": " + e.getMessage(),
                    e);
        }
    }

    public ModelCard card() {
        return card;
    }

    /** A predictor for the calling thread; never share one between threads. */
    public Predictor<GrayImage, ClassProbabilities> newPredictor() {
        return model.newPredictor();
    }

    @Override
    public void close() {
        model.close();
    }
}
