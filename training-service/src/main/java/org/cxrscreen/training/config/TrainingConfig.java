package org.cxrscreen.training.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Configuration of the training service, prefix {@code training}. */
@ConfigMapping(prefix = "training")
public interface TrainingConfig {

    /** Folder of model directories (one subfolder per version) that the registry serves. */
    @WithDefault("models")
    Path modelsDir();

    /** Folder of the images the service holds (received on {@code xray.images.v1} and imported). */
    @WithDefault("images")
    Path imagesDir();

    /**
     * Base URL the inference workers download artifacts from ({@code <url>/api/v1/models/<v>/artifact});
     * default {@code http://localhost:<http port>}.
     */
    Optional<String> publicUrl();

    /** How long an image nobody labelled is kept. */
    @WithDefault("30d")
    Duration imageRetention();

    /** How often unsent promotions are sent to {@code models.published.v1} ("off" turns the relay off). */
    @WithDefault("1s")
    String outboxInterval();

    /** Threads for training and evaluation (0: all cores). */
    @WithDefault("0")
    int threads();

    Schedule schedule();

    FineTune fineTune();

    Gate gate();

    Bootstrap bootstrap();

    /** When runs start by themselves. */
    interface Schedule {

        /** Off: runs start only by hand (and the bootstrap run). */
        @WithDefault("true")
        boolean enabled();

        /** Quartz-style cron (seconds first) of the check; default 02:00 every night. */
        @WithDefault("0 0 2 * * ?")
        String cron();

        /** The check starts a run when at least this many labels arrived since the last run. */
        @WithDefault("50")
        int minNewLabels();
    }

    /** How a scheduled or manual run fine-tunes the serving model (the CLI's options). */
    interface FineTune {

        @WithDefault("3")
        int epochs();

        @WithDefault("32")
        int batchSize();

        @WithDefault("adam")
        String optimizer();

        /** Lower than a run from scratch: the weights are already good. */
        @WithDefault("0.0001")
        float learningRate();

        @WithDefault("2")
        int patience();

        @WithDefault("weighted-ce")
        String loss();

        @WithDefault("2")
        float focalGamma();

        @WithDefault("false")
        boolean oversample();

        /** Comma-separated: rotate, flip, brightness-contrast; empty for none. */
        Optional<String> augment();

        @WithDefault("42")
        long seed();

        /** The COVID-19 sensitivity the candidate's operating point is chosen for, on the validation part. */
        @WithDefault("0.95")
        double targetRecall();

        /** Replay: images of the base set (and earlier labels) drawn per new label, so it does not forget. */
        @WithDefault("4")
        int replayPerLabel();

        /** Replay: at least this many such images. */
        @WithDefault("256")
        int replayMin();
    }

    /** What a candidate must show on the frozen test set to be published. */
    interface Gate {

        /** Its macro-F1 may be at most this much lower than the serving model's. */
        @WithDefault("0.01")
        double macroF1Tolerance();

        /** Its COVID-19 recall at its operating point must reach this. */
        @WithDefault("0.90")
        double covidRecallTarget();

        /** How many of the latest disagreement cases both models are also scored on. */
        @WithDefault("200")
        int disagreementCases();
    }

    /** A fresh installation: what to serve before any run. */
    interface Bootstrap {

        /** A labelled folder: imported as the base set, and a starter model trained on it when there is no model. */
        Optional<Path> data();

        /** A model directory to register and serve when there is none, instead of training one. */
        Optional<Path> model();

        /** At most this many images per class are imported from the folder (0: all). */
        @WithDefault("0")
        int limitPerClass();

        @WithDefault("compact-cnn-s")
        String architecture();

        @WithDefault("8")
        int epochs();

        /** Seeds the base set's split by patient. */
        @WithDefault("42")
        long splitSeed();
    }
}
