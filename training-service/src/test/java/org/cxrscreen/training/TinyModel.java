package org.cxrscreen.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.cxrscreen.model.FileTrees;
import org.cxrscreen.testsupport.SharedData;

/**
 * One small model trained through the CLI on real images, once per test JVM, in
 * {@code target/test-models/tiny}: the fixture of the tests that need a trained model.
 */
public final class TinyModel {

    public static final Path MODELS = Path.of("target", "test-models");
    public static final Path DIR = MODELS.resolve("tiny");

    private static String output;

    private TinyModel() {
    }

    /** Trains the model on first use and returns its directory. */
    public static synchronized Path dir() {
        if (output == null) {
            FileTrees.delete(DIR);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int status = org.cxrscreen.training.cli.CliAccess.run(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                    List.of("train", "--data", SharedData.cxr().toString(), "--out", DIR.toString(), "--epochs", "2",
                            "--limit-per-class", "40", "--batch-size", "16", "--seed", "7"));
            output = bytes.toString(StandardCharsets.UTF_8);
            assertThat(status).as(output).isZero();
        }
        return DIR;
    }

    /** What the training run printed. */
    public static synchronized String output() {
        dir();
        return output;
    }
}
