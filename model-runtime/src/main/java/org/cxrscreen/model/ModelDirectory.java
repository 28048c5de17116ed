package org.cxrscreen.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.cxrscreen.contracts.EventCodec;

/**
 * A model on disk: a directory holding {@value #CARD} (a {@link ModelCard}) and the ONNX file it
 * names. Reading verifies the ONNX file against the card's SHA-256, so a damaged or swapped file is
 * never served.
 */
public final class ModelDirectory {

    /** The card's file name. */
    public static final String CARD = "model.json";
    /** The ONNX file name training writes. */
    public static final String ONNX = "model.onnx";

    private static final ObjectMapper JSON = EventCodec.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelDirectory() {
    }

    /** True when {@code dir} looks like a model directory. */
    public static boolean isModel(Path dir) {
        return Files.isRegularFile(dir.resolve(CARD));
    }

    /**
     * Reads and verifies a model directory.
     *
     * @throws ModelLoadException saying what is missing or wrong
     */
    public static ModelCard read(Path dir) {
        Path cardFile = dir.resolve(CARD);
        if (!Files.isRegularFile(cardFile)) {
            throw new ModelLoadException("no model at " + dir.toAbsolutePath() + ": " + CARD + " is missing");
        }
        ModelCard card;
        try {
            card = JSON.readValue(cardFile.toFile(), ModelCard.class);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + cardFile + ": " + e.getMessage(), e);
        }
        Path onnx = dir.resolve(card.onnxFile());
        if (!Files.isRegularFile(onnx)) {
            throw new ModelLoadException("model " + card.version() + ": " + onnx + " is missing");
        }
        String actual = sha256(onnx);
        if (!actual.equals(card.sha256())) {
            throw new ModelLoadException("model " + card.version() + ": " + onnx.getFileName() + " has SHA-256 "
                    + actual + " but the card says " + card.sha256());
        }
        return card;
    }

    /** Writes the card beside the ONNX file it describes. */
    public static void write(Path dir, ModelCard card) {
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve(CARD).toFile(), card);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(CARD), e);
        }
    }

    /** Lower-case hex SHA-256 of a file. */
    public static String sha256(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JSON mapper used for cards, for writing reports in the same style. */
    public static ObjectMapper json() {
        return JSON;
    }
}
