package org.cxrscreen.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * The real chest X-rays under {@code ../shared/data}, read in place (they are never copied into the
 * repository). The location comes from the system property {@code cxr.shared.data}, set by the build,
 * or is found by walking up from the working directory.
 */
public final class SharedData {

    /** One row of {@code cxr/manifest.csv}. */
    public record Entry(Path file, ScreeningClass label, String patient, String source) {
    }

    private SharedData() {
    }

    public static Path root() {
        String configured = System.getProperty("cxr.shared.data");
        if (configured != null && Files.isDirectory(Paths.get(configured, "cxr"))) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/data");
            if (Files.isDirectory(candidate.resolve("cxr"))) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("the shared data set is missing: expected ../shared/data/cxr beside the "
                + "repository, or -Dcxr.shared.data=DIR");
    }

    /** The labelled folder: class subfolders and {@code manifest.csv}. */
    public static Path cxr() {
        return root().resolve("cxr");
    }

    public static Path dicom(String name) {
        return root().resolve("dicom").resolve(name);
    }

    /** Every manifest row, in file order. */
    public static List<Entry> manifest() {
        Path cxr = cxr();
        try {
            List<String> lines = Files.readAllLines(cxr.resolve("manifest.csv"));
            List<Entry> entries = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> cells = cells(line);
                entries.add(new Entry(cxr.resolve(cells.get(0)), ScreeningClass.parse(cells.get(1)), cells.get(2),
                        cells.get(3)));
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cells of one CSV line; double quotes protect commas. */
    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    /** The first {@code count} images of a class, by file name: the same images on every run. */
    public static List<Path> images(ScreeningClass label, int count) {
        return manifest().stream()
                .filter(e -> e.label() == label)
                .map(Entry::file)
                .sorted(Comparator.comparing(Path::toString))
                .limit(count)
                .collect(Collectors.toList());
    }

    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
