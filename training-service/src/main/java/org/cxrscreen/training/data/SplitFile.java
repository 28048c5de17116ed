package org.cxrscreen.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code splits.csv} in a model directory: which image of the training data went to which part
 * ({@code file,label,patient,part}, files relative to the data folder), so the test part can be
 * evaluated again later and never mistaken for training data.
 */
public final class SplitFile {

    public static final String NAME = "splits.csv";

    private SplitFile() {
    }

    public static void write(Path file, Path data, Split split) {
        List<String> lines = new ArrayList<>();
        lines.add("file,label,patient,part");
        for (Split.Part part : Split.Part.values()) {
            for (LabelledImage image : split.part(part)) {
                lines.add(String.join(",", Csv.quote(data.relativize(image.file()).toString()), image.label().name(),
                        Csv.quote(image.patient()), part.name().toLowerCase(Locale.ROOT)));
            }
        }
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * The images of {@code images} that the split file puts in {@code part}.
     *
     * @throws IllegalArgumentException when the model has no split file
     */
    public static List<LabelledImage> select(Path file, Path data, Split.Part part, List<LabelledImage> images) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("the model has no " + NAME + ": it was not trained by this tool");
        }
        Set<Path> chosen;
        try {
            List<String> lines = Files.readAllLines(file);
            String name = part.name().toLowerCase(Locale.ROOT);
            chosen = lines.subList(1, lines.size()).stream()
                    .map(Csv::cells)
                    .filter(cells -> cells.size() >= 4 && cells.get(3).equals(name))
                    .map(cells -> data.resolve(cells.get(0)).normalize())
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return images.stream().filter(i -> chosen.contains(i.file().normalize())).toList();
    }
}
