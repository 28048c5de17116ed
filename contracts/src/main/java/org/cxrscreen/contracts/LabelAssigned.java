package org.cxrscreen.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * A radiologist's label for an image. Published on {@link Topics#LABELS}, keyed by {@code imageId};
 * the training service learns from it.
 *
 * @param label the class the reviewer assigned
 * @param reviewerId pseudonymous id of the reviewer
 * @param labelledAt when the review was submitted
 * @param reason whether the reviewer agreed with the model or corrected it
 * @param modelVersion the model version whose prediction was reviewed, null if none
 * @param modelLabel that model's label, null if none
 * @param comment free text, may be null
 */
public record LabelAssigned(
        UUID eventId,
        Instant occurredAt,
        int schemaVersion,
        String imageId,
        ScreeningClass label,
        String reviewerId,
        Instant labelledAt,
        Reason reason,
        String modelVersion,
        ScreeningClass modelLabel,
        String comment) implements Event {

    public static final int SCHEMA_VERSION = 1;

    /** Why the label was given. */
    public enum Reason {
        AGREE,
        CORRECT
    }

    public LabelAssigned {
        Validation.envelope(eventId, occurredAt, schemaVersion);
        Validation.notBlank(imageId, "imageId");
        Validation.required(label, "label");
        Validation.notBlank(reviewerId, "reviewerId");
        Validation.required(labelledAt, "labelledAt");
        Validation.required(reason, "reason");
    }
}
