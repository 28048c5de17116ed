package org.cxrscreen.model;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where ONNX Runtime runs a model. The GPU providers need the {@code onnxruntime_gpu} build of ONNX
 * Runtime (the inference service's {@code gpu} Maven profile) and the host's CUDA, cuDNN and TensorRT
 * libraries; with the CPU build, asking for them fails with a clear {@link ModelLoadException}.
 */
public enum ExecutionProvider {

    /** ONNX Runtime's own CPU kernels. */
    CPU,
    /** NVIDIA CUDA; nodes CUDA cannot run fall back to the CPU. */
    CUDA,
    /** NVIDIA TensorRT, then CUDA for the nodes TensorRT does not take, then the CPU. */
    TENSORRT;

    /** The order to try when {@code this} cannot be used and falling back is allowed. */
    public List<ExecutionProvider> fallbackChain() {
        return switch (this) {
            case TENSORRT -> List.of(TENSORRT, CUDA, CPU);
            case CUDA -> List.of(CUDA, CPU);
            case CPU -> List.of(CPU);
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** GPU settings: the device index and, for TensorRT, its engine cache and precision. */
    public record GpuOptions(int deviceId, Path tensorrtCache, boolean tensorrtFp16) {

        public static final GpuOptions DEFAULT = new GpuOptions(0, null, false);
    }

    /**
     * Session options with this provider registered (none for the CPU, ONNX Runtime's own) and the given
     * session configuration entries. Registration order is priority order, so TensorRT is followed by
     * CUDA. The options are closed here if anything fails.
     *
     * @throws OrtException when ONNX Runtime cannot register the provider (CPU build, missing libraries)
     *     or refuses a configuration entry
     */
    OrtSession.SessionOptions sessionOptions(GpuOptions gpu, Map<String, String> configEntries) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            for (Map.Entry<String, String> entry : configEntries.entrySet()) {
                options.addConfigEntry(entry.getKey(), entry.getValue());
            }
            if (this == CPU) {
                return options;
            }
            if (this == TENSORRT) {
                OrtTensorRTProviderOptions trt = new OrtTensorRTProviderOptions(gpu.deviceId());
                if (gpu.tensorrtCache() != null) {
                    java.nio.file.Files.createDirectories(gpu.tensorrtCache());
                    trt.add("trt_engine_cache_enable", "1");
                    trt.add("trt_engine_cache_path", gpu.tensorrtCache().toAbsolutePath().toString());
                    trt.add("trt_timing_cache_enable", "1");
                    trt.add("trt_timing_cache_path", gpu.tensorrtCache().toAbsolutePath().toString());
                }
                trt.add("trt_fp16_enable", gpu.tensorrtFp16() ? "1" : "0");
                options.addTensorrt(trt);
            }
            options.addCUDA(gpu.deviceId());
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        } catch (java.io.IOException e) {
            options.close();
            throw new ModelLoadException("cannot create the TensorRT engine cache " + gpu.tensorrtCache() + ": "
                    + e.getMessage(), e);
        }
    }
}
