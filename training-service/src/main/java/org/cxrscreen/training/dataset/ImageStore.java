package org.cxrscreen.training.dataset;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.cxrscreen.training.config.TrainingConfig;

/**
 * The image files the service owns, under {@code training.images-dir}: {@code <first 2 hex digits of
 * the id>/<id>.<png|jpg>}. A file is written to a temporary name and moved into place, so a crash never
 * leaves half an image under a real name; an image id names its content, so a file is never rewritten.
 */
@ApplicationScoped
public class ImageStore {

    private final Path root;

    public ImageStore(TrainingConfig config) {
        this.root = config.imagesDir().toAbsolutePath().normalize();
    }

    /** The folder the stored names are relative to. */
    public Path root() {
        return root;
    }

    /** Writes the image unless it is there; returns its name relative to the root. */
    public String write(String imageId, byte[] bytes, String extension) {
        if (!imageId.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("image id '" + imageId + "' is not a safe file name");
        }
        String prefix = imageId.length() >= 2 ? imageId.substring(0, 2) : "_";
        String name = prefix + "/" + imageId + "." + extension;
        Path file = root.resolve(name);
        try {
            if (!Files.isRegularFile(file)) {
                Files.createDirectories(file.getParent());
                Path partial = file.resolveSibling(file.getFileName() + ".partial");
                Files.write(partial, bytes);
                Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store image " + imageId + " in " + root + ": " + e.getMessage(), e);
        }
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    public void delete(String name) {
        try {
            Files.deleteIfExists(root.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root.resolve(name) + ": " + e.getMessage(), e);
        }
    }
}
