package org.cxrscreen.model;

/** A model directory that cannot be used: missing files, a bad card, a checksum mismatch, an unloadable network. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
