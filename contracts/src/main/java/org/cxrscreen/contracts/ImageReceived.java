package org.cxrscreen.contracts;

import java.time.Instant;
import java.util.UUID;

/**
 * An image accepted by the ingest, in canonical form: an 8-bit grayscale PNG whose longer side is at
 * most 1024 px, with the metadata a reader needs without decoding it. Published on
 * {@link Topics#IMAGES}, keyed by {@code imageId}.
 *
 * @param imageId stable id: the same image always gets the same id
 * @param source how it arrived ({@code http-upload}, later {@code dicom-c-store}, {@code dicomweb-stow})
 * @param studyId pseudonymous study id, null when the source has none
 * @param instanceId pseudonymous instance id, null when the source has none
 * @param modality DICOM modality when known (CR, DX), null otherwise
 * @param view projection when known (PA, AP), null otherwise
 * @param originalFormat the format as received (PNG, JPEG, DICOM)
 * @param originalWidth width as received, in pixels
 * @param originalHeight height as received, in pixels
 * @param width width of the canonical image
 * @param height height of the canonical image
 * @param receivedAt when the ingest accepted it
 * @param png the canonical image; base64 in JSON
 */
public record ImageReceived(
        UUID eventId,
        Instant occurredAt,
        int schemaVersion,
        String imageId,
        String source,
        String studyId,
        String instanceId,
        String modality,
        String view,
        String originalFormat,
        int originalWidth,
        int originalHeight,
        int width,
        int height,
        Instant receivedAt,
        byte[] png) implements Event {

    public static final int SCHEMA_VERSION = 1;

    public ImageReceived {
        Validation.envelope(eventId, occurredAt, schemaVersion);
        Validation.notBlank(imageId, "imageId");
        Validation.notBlank(source, "source");
        Validation.required(receivedAt, "receivedAt");
        if (png == null || png.length == 0) {
            throw new IllegalArgumentException("png is required");
        }
        if (width <= 0 || height <= 0 || originalWidth <= 0 || originalHeight <= 0) {
            throw new IllegalArgumentException("image sizes must be positive");
        }
    }

    /** A new event for an image received now. */
    public static ImageReceived of(String imageId, String source, String originalFormat, int originalWidth,
            int originalHeight, int width, int height, Instant receivedAt, byte[] png) {
        return new ImageReceived(UUID.randomUUID(), Instant.now(), SCHEMA_VERSION, imageId, source, null, null,
                null, null, originalFormat, originalWidth, originalHeight, width, height, receivedAt, png);
    }
}
