package org.cxrscreen.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Configuration of the inference service, prefix {@code inference}. */
@ConfigMapping(prefix = "inference")
public interface InferenceConfig {

    /**
     * A model directory (model.json and model.onnx) to serve from the start. Without it the worker
     * waits for the model named {@link #modelName()} on {@code models.published}.
     */
    Optional<Path> modelPath();

    /** The model this worker serves: the key of {@code models.published} it follows. */
    @WithDefault("cxr-classifier")
    String modelName();

    /** Serve only this version: other published versions are ignored (reported, not loaded). */
    Optional<String> pinnedVersion();

    /** Follow {@code models.published}: download, verify and swap to each newly published version. */
    @WithDefault("true")
    boolean followPublished();

    /** Where downloaded model versions are kept, one directory per version. */
    @WithDefault("models/cache")
    Path modelCache();

    /** Limit of one artifact download. */
    @WithDefault("120s")
    Duration downloadTimeout();

    /** Largest artifact accepted, in bytes. */
    @WithDefault("1073741824")
    long maxArtifactBytes();

    /** Execution device: cpu, cuda or tensorrt. */
    @WithDefault("cpu")
    Device device();

    /** GPU index for cuda and tensorrt. */
    @WithDefault("0")
    int deviceId();

    /** When the device cannot be used, fall back along tensorrt, cuda, cpu instead of failing. */
    @WithDefault("true")
    boolean deviceFallback();

    /** TensorRT engine cache, so engines are built once and reused across starts. */
    @WithDefault("models/trt-cache")
    Path tensorrtCache();

    /** TensorRT in FP16 (faster on tensor cores; validate accuracy before use). */
    @WithDefault("false")
    boolean tensorrtFp16();

    /** ONNX Runtime threads per batch (intra-op). */
    @WithDefault("1")
    int intraOpThreads();

    /** Extra DJL ONNX Runtime options, e.g. {@code inference.engine-options.optLevel=ALL_OPT}. */
    Map<String, String> engineOptions();

    /** Name of this worker in predictions; default host name and process id. */
    Optional<String> workerId();

    /** Inference threads, each with its own predictor; default one per CPU core the process may use. */
    Optional<Integer> workers();

    /** Threads that decode and fit images ahead of the model. */
    @WithDefault("1")
    int decodeThreads();

    /** The dynamic batcher. */
    Batch batch();

    /** The images consumer. */
    Consumer consumer();

    /** The devices ONNX Runtime can run on. */
    enum Device {
        CPU, CUDA, TENSORRT
    }

    /** Micro-batches: up to {@code max-size} images, waiting at most {@code max-wait} after the first. */
    interface Batch {

        @WithDefault("8")
        int maxSize();

        @WithDefault("10ms")
        Duration maxWait();
    }

    /** The images consumer: its group, how much it holds in flight, and how long it drains on shutdown. */
    interface Consumer {

        /** One consumer group per worker pool. */
        @WithDefault("inference-service")
        String groupId();

        /** Records polled but not yet published; polling pauses above it. Default 4 batches per worker. */
        Optional<Integer> maxInFlight();

        /** On shutdown or when partitions are revoked: how long to wait for images in flight to be published. */
        @WithDefault("25s")
        Duration drainTimeout();

        /**
         * How long the group waits for a worker that stopped answering (killed, frozen) before its
         * partitions go to the others.
         */
        @WithDefault("30s")
        Duration sessionTimeout();

        /** Largest poll. */
        @WithDefault("64")
        int maxPollRecords();
    }
}
