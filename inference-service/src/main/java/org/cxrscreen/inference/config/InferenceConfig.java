package org.cxrscreen.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Configuration of the inference service, prefix {@code inference}. */
@ConfigMapping(prefix = "inference")
public interface InferenceConfig {

    /** The model directory to serve (model.json and model.onnx). */
    Path modelPath();

    /** ONNX Runtime threads per prediction. */
    @WithDefault("1")
    int intraOpThreads();

    /** Extra DJL ONNX Runtime options, e.g. {@code inference.engine-options.ortDevice=TensorRT}. */
    Map<String, String> engineOptions();

    /** Name of this worker in predictions; default host name and process id. */
    Optional<String> workerId();
}
