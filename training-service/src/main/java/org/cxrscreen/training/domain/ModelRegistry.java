package org.cxrscreen.training.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.ModelLoadException;

/**
 * The trained models in a folder, one model directory per subfolder, newest first. A directory whose
 * card or checksum does not verify is not listed.
 */
public final class ModelRegistry {

    /** A verified model and where it lies. */
    public record Entry(ModelCard card, Path dir) {
    }

    private final Path root;

    public ModelRegistry(Path root) {
        this.root = root;
    }

    public List<Entry> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(ModelDirectory::isModel)
                    .flatMap(dir -> verified(dir).stream())
                    .sorted(Comparator.comparing((Entry e) -> e.card().createdAt()).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    public Optional<Entry> find(String version) {
        return list().stream().filter(e -> e.card().version().equals(version)).findFirst();
    }

    private static Optional<Entry> verified(Path dir) {
        try {
            return Optional.of(new Entry(ModelDirectory.read(dir), dir));
        } catch (ModelLoadException e) {
            return Optional.empty();
        }
    }
}
