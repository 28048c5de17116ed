package org.cxrscreen.training.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** Configuration of the training service, prefix {@code training}. */
@ConfigMapping(prefix = "training")
public interface TrainingConfig {

    /** Folder of model directories (one subfolder per version) that the registry serves. */
    @WithDefault("models")
    Path modelsDir();
}
