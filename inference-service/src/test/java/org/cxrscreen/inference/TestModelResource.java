package org.cxrscreen.inference;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.cxrscreen.model.TestModels;

/** Writes a model directory before the service starts and points {@code inference.model-path} at it. */
public class TestModelResource implements QuarkusTestResourceLifecycleManager {

    static final Path DIR = Path.of("target", "test-model").toAbsolutePath();

    @Override
    public Map<String, String> start() {
        try {
            TestModels.writeAveraging(DIR);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("inference.model-path", DIR.toString());
    }

    @Override
    public void stop() {
    }
}
