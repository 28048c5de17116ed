package org.cxrscreen.inference.ml;

import ai.djl.translate.TranslateException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cxrscreen.contracts.ModelPublished;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.inference.config.InferenceConfig;
import org.cxrscreen.model.ExecutionProvider;
import org.cxrscreen.model.FileTrees;
import org.cxrscreen.model.ModelArchive;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.ModelLoadException;
import org.cxrscreen.model.OnnxClassifier;
import org.jboss.logging.Logger;

/**
 * Makes a {@link ServedModel}: downloads a published version's artifact (a zip of {@code model.json}
 * and the ONNX file), verifies it, loads it on the configured execution provider (falling back along
 * TensorRT, CUDA, CPU when allowed) and warms it up with a full batch, so that the first real batch
 * pays no start-up cost.
 */
@ApplicationScoped
public class ModelLoader {

    private static final Logger LOG = Logger.getLogger(ModelLoader.class);

    private final InferenceConfig config;
    private final HttpClient http;

    public ModelLoader(InferenceConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(java.time.Duration.ofSeconds(10)).build();
    }

    /**
     * Verifies, loads and warms a model directory.
     *
     * @throws ModelLoadException when it does not verify, or no allowed provider can run it
     */
    public ServedModel load(Path dir) {
        return load(dir, ModelDirectory.read(dir));
    }

    /**
     * Downloads (unless cached), verifies, loads and warms a published version.
     *
     * @throws ModelLoadException when any step fails
     */
    public ServedModel load(ModelPublished published) {
        Verified fetched = fetch(published);
        return load(fetched.dir(), fetched.card());
    }

    /** Loads a directory verified as {@code card}; a bad artifact is not retried on another provider. */
    private ServedModel load(Path dir, ModelCard card) {
        Map<String, String> options = new HashMap<>(config.engineOptions());
        options.putIfAbsent("intraOpNumThreads", String.valueOf(config.intraOpThreads()));
        options.putIfAbsent("interOpNumThreads", "1");
        // ONNX Runtime's idle threads spin by default, taking the CPU from the decoders and Kafka clients
        options.putIfAbsent("session.intra_op.allow_spinning", "0");
        ExecutionProvider.GpuOptions gpu = new ExecutionProvider.GpuOptions(config.deviceId(),
                config.tensorrtCache(), config.tensorrtFp16());
        ExecutionProvider wanted = ExecutionProvider.valueOf(config.device().name());
        List<ExecutionProvider> chain = config.deviceFallback() ? wanted.fallbackChain() : List.of(wanted);
        List<String> failures = new ArrayList<>();
        for (ExecutionProvider provider : chain) {
            OnnxClassifier classifier;
            try {
                classifier = OnnxClassifier.load(dir, card, options, provider, gpu);
            } catch (ModelLoadException e) {
                failures.add(e.getMessage());
                LOG.warnf("%s; %s", e.getMessage(), provider == chain.get(chain.size() - 1) ? "no fallback left"
                        : "falling back");
                continue;
            }
            ServedModel model = new ServedModel(classifier);
            try {
                warmUp(model);
            } catch (RuntimeException e) {
                model.release();
                throw new ModelLoadException("model " + classifier.card().version() + " failed its warm-up: "
                        + e.getMessage(), e);
            }
            return model;
        }
        throw new ModelLoadException("no execution provider could run the model in " + dir + ": "
                + String.join("; ", failures));
    }

    /** A batch of the largest size the batcher forms, so the runtime sizes its buffers once. */
    private void warmUp(ServedModel model) {
        int size = model.card().input().size();
        List<GrayImage> batch = new ArrayList<>();
        for (int i = 0; i < config.batch().maxSize(); i++) {
            batch.add(new GrayImage(size, size, new byte[size * size]));
        }
        try {
            model.classify(batch);
            model.classify(batch.subList(0, 1));
        } catch (TranslateException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Downloads a published version into the model cache, unless a verified copy is there already, and
     * returns its directory with the card it verified as.
     *
     * @throws ModelLoadException when the download fails, the archive is not a model, or the ONNX
     *     file's SHA-256 is not the published one
     */
    private Verified fetch(ModelPublished published) {
        Path cache = config.modelCache().toAbsolutePath();
        Path dir = cache.resolve(safeName(published.version()));
        if (ModelDirectory.isModel(dir)) {
            try {
                return new Verified(dir, verify(dir, published));
            } catch (ModelLoadException e) {
                LOG.warnf("the cached copy of %s does not verify (%s); downloading it again", published.version(),
                        e.getMessage());
            }
        }
        Path partial = cache.resolve(safeName(published.version()) + ".partial");
        try {
            Files.createDirectories(cache);
            FileTrees.delete(partial);
            Files.createDirectories(partial);
            HttpRequest request = HttpRequest.newBuilder(URI.create(published.artifactUrl()))
                    .timeout(config.downloadTimeout()).GET().build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new ModelLoadException("downloading " + published.artifactUrl() + " answered HTTP "
                            + response.statusCode());
                }
                ModelArchive.extract(body, partial, config.maxArtifactBytes());
            }
            ModelCard card = verify(partial, published);
            FileTrees.delete(dir);
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
            return new Verified(dir, card);
        } catch (IOException e) {
            throw new ModelLoadException("cannot download model " + published.version() + " from "
                    + published.artifactUrl() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("interrupted while downloading model " + published.version(), e);
        } finally {
            FileTrees.delete(partial);
        }
    }

    /** A model directory and the card it verified as. */
    private record Verified(Path dir, ModelCard card) {
    }

    /** The card must verify against its ONNX file and name the published version and SHA-256. */
    private static ModelCard verify(Path dir, ModelPublished published) {
        ModelCard card = ModelDirectory.read(dir);
        if (!card.version().equals(published.version())) {
            throw new ModelLoadException("the artifact of version " + published.version() + " holds version "
                    + card.version());
        }
        if (!card.sha256().equals(published.sha256())) {
            throw new ModelLoadException("model " + published.version() + ": the artifact's ONNX file has SHA-256 "
                    + card.sha256() + " but models.published says " + published.sha256());
        }
        return card;
    }

    private static String safeName(String version) {
        return version.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
