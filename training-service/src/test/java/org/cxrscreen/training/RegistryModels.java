package org.cxrscreen.training;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.cxrscreen.model.FileTrees;
import org.cxrscreen.model.TestModels;

/**
 * Quarkus test resource: an empty registry and images folder, and two model directories written in code
 * (not trained: PyTorch's native library can only be loaded by one class loader of the test JVM, and
 * the training tests load it outside Quarkus). {@link #GIVEN} is the bootstrap model the service
 * registers and promotes at start; {@link #EARLIER} lies in the registry already.
 */
public class RegistryModels implements QuarkusTestResourceLifecycleManager {

    static final String GIVEN = "given-1";
    static final String EARLIER = "earlier-1";
    static final Path REGISTRY = Path.of("target", "test-registry").toAbsolutePath();
    static final Path IMAGES = Path.of("target", "test-images").toAbsolutePath();
    private static final Path SOURCE = Path.of("target", "test-bootstrap-model").toAbsolutePath();

    @Override
    public Map<String, String> start() {
        try {
            FileTrees.delete(REGISTRY);
            FileTrees.delete(IMAGES);
            FileTrees.delete(SOURCE);
            TestModels.writeAveraging(SOURCE, "cxr-classifier", GIVEN, new float[] {0f, 0f, 0f});
            TestModels.writeAveraging(REGISTRY.resolve(EARLIER), "cxr-classifier", EARLIER, new float[] {1f, 0f, 0f});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("training.models-dir", REGISTRY.toString(), "training.images-dir", IMAGES.toString(),
                "training.bootstrap.model", SOURCE.toString());
    }

    @Override
    public void stop() {
        // the files stay for inspection
    }
}
