package org.cxrscreen.training.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.model.ModelDirectory;
import org.cxrscreen.model.ModelLoadException;

/**
 * The trained models in a folder, one model directory per subfolder, newest first. A directory whose
 * card or checksum does not verify is not listed. A verified directory is not hashed again until its
 * card or ONNX file changes (time or size).
 */
public final class ModelRegistry {

    /** A verified model and where it lies. */
    public record Entry(ModelCard card, Path dir) {
    }

    /** A verified directory and the state of its files when it was verified. */
    private record Verified(FileTime card, FileTime onnx, long onnxSize, Entry entry) {
    }

    private final Path root;
    private final Map<Path, Verified> verified = new ConcurrentHashMap<>();

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

    private Optional<Entry> verified(Path dir) {
        try {
            FileTime card = Files.getLastModifiedTime(dir.resolve(ModelDirectory.CARD));
            Verified known = verified.get(dir);
            if (known != null) {
                Path onnx = dir.resolve(known.entry().card().onnxFile());
                if (known.card().equals(card) && Files.isRegularFile(onnx)
                        && known.onnx().equals(Files.getLastModifiedTime(onnx)) && known.onnxSize() == Files.size(onnx)) {
                    return Optional.of(known.entry());
                }
            }
            Entry entry = new Entry(ModelDirectory.read(dir), dir);
            Path onnx = dir.resolve(entry.card().onnxFile());
            verified.put(dir, new Verified(card, Files.getLastModifiedTime(onnx), Files.size(onnx), entry));
            return Optional.of(entry);
        } catch (ModelLoadException | IOException e) {
            verified.remove(dir);
            return Optional.empty();
        }
    }
}
