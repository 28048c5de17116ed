package org.cxrscreen.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * The envelope every event carries: a unique id (consumers use it to recognise redeliveries),
 * the time it happened and the schema version of its record.
 */
public interface Event {

    UUID eventId();

    Instant occurredAt();

    int schemaVersion();
}
