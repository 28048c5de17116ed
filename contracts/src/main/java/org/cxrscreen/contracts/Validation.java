package org.cxrscreen.contracts;

import java.time.Instant;
import java.util.UUID;

/** Checks shared by the records' constructors, so an invalid event is never built, sent or accepted. */
final class Validation {

    private Validation() {
    }

    static void envelope(UUID eventId, Instant occurredAt, int schemaVersion) {
        required(eventId, "eventId");
        required(occurredAt, "occurredAt");
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("schemaVersion must be 1 or more, was " + schemaVersion);
        }
    }

    static void required(Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    static void notBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
