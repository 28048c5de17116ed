package org.cxrscreen.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A model version as one download: a zip archive of its card ({@code model.json}) and ONNX file, flat.
 * The training service serves it; inference workers unpack it and verify the ONNX file against the
 * card's and the published SHA-256.
 */
public final class ModelArchive {

    /** The media type of an archive. */
    public static final String MEDIA_TYPE = "application/zip";

    private ModelArchive() {
    }

    /** Verifies a model directory and writes its archive. */
    public static void write(Path dir, OutputStream out) throws IOException {
        write(dir, ModelDirectory.read(dir), out);
    }

    /** Writes the archive of a model directory already verified as {@code card}. */
    public static void write(Path dir, ModelCard card, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        // the ONNX file is dense floats: storing it costs little and saves a CPU pass on both sides
        zip.setLevel(java.util.zip.Deflater.BEST_SPEED);
        for (String name : new String[] {ModelDirectory.CARD, card.onnxFile()}) {
            zip.putNextEntry(new ZipEntry(name));
            Files.copy(dir.resolve(name), zip);
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }

    /**
     * Unpacks an archive's plain files into {@code dir} (no sub-directories, no paths, at most
     * {@code maxBytes} in all). The caller verifies the result with {@link ModelDirectory#read}.
     *
     * @throws ModelLoadException when it is not a flat archive of files within the limit
     */
    public static void extract(InputStream in, Path dir, long maxBytes) throws IOException {
        long total = 0;
        int files = 0;
        byte[] buffer = new byte[64 * 1024];
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                String name = entry.getName();
                if (entry.isDirectory() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                    throw new ModelLoadException("the archive holds '" + name + "': only plain file names are "
                            + "accepted (" + ModelDirectory.CARD + " and the ONNX file)");
                }
                try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
                    for (int n = zip.read(buffer); n > 0; n = zip.read(buffer)) {
                        total += n;
                        if (total > maxBytes) {
                            throw new ModelLoadException("the archive unpacks to more than " + maxBytes + " bytes");
                        }
                        out.write(buffer, 0, n);
                    }
                }
                files++;
            }
        }
        if (files == 0) {
            throw new ModelLoadException("not a zip archive of a model directory (" + ModelDirectory.CARD
                    + " and the ONNX file)");
        }
    }
}
