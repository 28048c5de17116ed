package org.cxrscreen.training.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.training.ml.TrainingProgress;

/**
 * Writes progress as JSON lines, one event per line ({@code {"type": "epoch", ...}} and
 * {@code {"type": "message", ...}}), for a service or a dashboard to follow; passes everything on to
 * another listener too.
 */
final class JsonLinesProgress implements TrainingProgress {

    private final Path file;
    private final TrainingProgress next;

    JsonLinesProgress(Path file, TrainingProgress next) {
        this.file = file;
        this.next = next;
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void epoch(Epoch epoch) {
        ObjectNode event = ModelDirectory.json().valueToTree(epoch);
        event.put("type", "epoch");
        append(event);
        next.epoch(epoch);
    }

    @Override
    public void batch(int epoch, int done, int total, double loss) {
        next.batch(epoch, done, total, loss);
    }

    @Override
    public void message(String text) {
        ObjectNode event = ModelDirectory.json().createObjectNode();
        event.put("type", "message");
        event.put("text", text);
        append(event);
        next.message(text);
    }

    private void append(ObjectNode event) {
        event.put("time", Instant.now().toString());
        try {
            Files.writeString(file, event.toString() + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
