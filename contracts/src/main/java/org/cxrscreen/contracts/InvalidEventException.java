package org.cxrscreen.contracts;

/** A record that is not a valid event of the expected type; it can never be processed. */
public class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
