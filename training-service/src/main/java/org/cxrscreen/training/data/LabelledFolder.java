package org.cxrscreen.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * Reads a labelled folder in either layout: a {@code manifest.csv} with the columns
 * {@code file,label[,patient[,source]]} (file paths relative to the folder, more columns ignored), or
 * one subfolder per class ({@code COVID19}, {@code NORMAL}, {@code PNEUMONIA}) of PNG and JPEG files.
 * Without a patient column every file counts as its own patient.
 */
public final class LabelledFolder {

    public static final String MANIFEST = "manifest.csv";

    private LabelledFolder() {
    }

    /**
     * Every labelled image of the folder, in a stable order.
     *
     * @throws IllegalArgumentException saying what is wrong with the folder or its manifest
     */
    public static List<LabelledImage> read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a folder: " + dir);
        }
        List<LabelledImage> images = Files.isRegularFile(dir.resolve(MANIFEST)) ? fromManifest(dir) : fromSubfolders(dir);
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no labelled images in " + dir + ": expected " + MANIFEST
                    + " (file,label[,patient]) or class subfolders COVID19, NORMAL, PNEUMONIA");
        }
        return images;
    }

    private static List<LabelledImage> fromManifest(Path dir) {
        Path manifest = dir.resolve(MANIFEST);
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + manifest, e);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(manifest + " is empty: expected a header file,label[,patient]");
        }
        List<String> header = Csv.cells(lines.get(0)).stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        int file = header.indexOf("file");
        int label = header.indexOf("label");
        int patient = header.indexOf("patient");
        int source = header.indexOf("source");
        if (file < 0 || label < 0) {
            throw new IllegalArgumentException(manifest + " needs the columns file and label, has " + header);
        }
        List<LabelledImage> images = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            List<String> cells = Csv.cells(lines.get(n));
            if (cells.size() <= Math.max(file, label)) {
                throw new IllegalArgumentException(manifest + " line " + (n + 1) + " has too few columns");
            }
            Path path = dir.resolve(cells.get(file)).normalize();
            if (!Files.isRegularFile(path)) {
                missing.add(cells.get(file));
                continue;
            }
            ScreeningClass c;
            try {
                c = ScreeningClass.parse(cells.get(label));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(manifest + " line " + (n + 1) + ": " + e.getMessage());
            }
            String who = patient >= 0 && patient < cells.size() && !cells.get(patient).isEmpty()
                    ? cells.get(patient) : cells.get(file);
            String from = source >= 0 && source < cells.size() ? cells.get(source) : "";
            images.add(new LabelledImage(path, c, who, from));
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(manifest + " names " + missing.size() + " files that do not exist, "
                    + "first: " + missing.get(0));
        }
        return images;
    }

    private static List<LabelledImage> fromSubfolders(Path dir) {
        List<LabelledImage> images = new ArrayList<>();
        try (Stream<Path> folders = Files.list(dir)) {
            for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
                ScreeningClass c;
                try {
                    c = ScreeningClass.parse(folder.getFileName().toString());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(folder)) {
                    files.filter(Files::isRegularFile)
                            .filter(LabelledFolder::isImageFile)
                            .sorted(Comparator.comparing(Path::toString))
                            .forEach(f -> images.add(new LabelledImage(f, c, dir.relativize(f).toString(), "")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return images;
    }

    private static boolean isImageFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }

    /**
     * At most {@code perClass} images of each class (0: all), drawn at random with {@code seed}: the
     * same seed gives the same images.
     */
    public static List<LabelledImage> limitPerClass(List<LabelledImage> images, int perClass, long seed) {
        if (perClass == 0) {
            return images;
        }
        List<LabelledImage> shuffled = new ArrayList<>(images);
        Collections.shuffle(shuffled, new Random(seed));
        Map<ScreeningClass, Integer> taken = new EnumMap<>(ScreeningClass.class);
        List<LabelledImage> kept = new ArrayList<>();
        for (LabelledImage image : shuffled) {
            if (taken.merge(image.label(), 1, Integer::sum) <= perClass) {
                kept.add(image);
            }
        }
        return kept;
    }
}
