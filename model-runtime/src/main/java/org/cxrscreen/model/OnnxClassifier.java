package org.cxrscreen.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
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
    /**
     * Engine options whose name starts with this are ONNX Runtime session configuration entries
     * ({@code session.intra_op.allow_spinning}, ...), passed through as they are.
     */
    private static final String SESSION_CONFIG_PREFIX = "session.";

    private final ModelCard card;
    private final Model model;
    private final ClassifierTranslator translator;
    private final ExecutionProvider provider;
    private final OrtSession.SessionOptions sessionOptions;

    private OnnxClassifier(ModelCard card, Model model, ExecutionProvider provider,
            OrtSession.SessionOptions sessionOptions) {
        this.card = card;
        this.model = model;
        this.provider = provider;
        this.sessionOptions = sessionOptions;
        this.translator = new ClassifierTranslator(card.input(), card.classes(), card.operatingPoint(), card.members());
    }

    /**
     * Verifies and loads a model directory on the CPU.
     *
     * @param engineOptions ONNX Runtime options as DJL names them ({@code intraOpNumThreads},
     *     {@code interOpNumThreads}, {@code optLevel}, ...)
     * @throws ModelLoadException when the directory is not a valid model
     */
    public static OnnxClassifier load(Path dir, Map<String, String> engineOptions) {
        return load(dir, ModelDirectory.read(dir), engineOptions, ExecutionProvider.CPU,
                ExecutionProvider.GpuOptions.DEFAULT);
    }

    /**
     * Loads a model directory already verified by {@link ModelDirectory#read} (its card is passed in, so
     * the ONNX file is not hashed again) on an execution provider; no fallback: the caller chooses.
     *
     * @throws ModelLoadException when the provider cannot be used or the network cannot be loaded
     */
    public static OnnxClassifier load(Path dir, ModelCard card, Map<String, String> engineOptions,
            ExecutionProvider provider, ExecutionProvider.GpuOptions gpu) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        // DJL's engine loads ONNX Runtime's native library; it must start before any direct ORT use.
        Engine.getEngine(ENGINE);
        OrtSession.SessionOptions sessionOptions;
        Map<String, Object> options = new HashMap<>();
        Map<String, String> configEntries = new HashMap<>();
        engineOptions.forEach((key, value) -> {
            if (key.startsWith(SESSION_CONFIG_PREFIX)) {
                configEntries.put(key, value);
            } else {
                options.put(key, value);
            }
        });
        try {
            sessionOptions = provider.sessionOptions(gpu, configEntries);
        } catch (OrtException | RuntimeException e) {
            throw new ModelLoadException("cannot use " + provider.id() + " for model " + card.version() + ": "
                    + e.getMessage(), e);
        }
        // DJL still applies its own options (threads, optimisation level) to these
        options.put("sessionOptions", sessionOptions);
        String file = card.onnxFile();
        String prefix = file.endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
        // DJL's CPU device: the providers are in the session options, and DJL adds none of its own.
        Model model = Model.newInstance(card.name(), ai.djl.Device.cpu(), ENGINE);
        try {
            model.load(dir, prefix, options);
            return new OnnxClassifier(card, model, provider, sessionOptions);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            sessionOptions.close();
            throw new ModelLoadException("cannot load model " + card.version() + " from " + dir + " on "
                    + provider.id() + ": " + e.getMessage(), e);
        }
    }

    public ModelCard card() {
        return card;
    }

    /** The execution provider the model runs on. */
    public ExecutionProvider provider() {
        return provider;
    }

    /** A predictor for the calling thread; never share one between threads. */
    public Predictor<GrayImage, ClassProbabilities> newPredictor() {
        return model.newPredictor(translator);
    }

    @Override
    public void close() {
        model.close();
        sessionOptions.close();
    }
}
