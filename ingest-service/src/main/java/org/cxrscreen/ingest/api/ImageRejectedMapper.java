package org.cxrscreen.ingest.api;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import org.cxrscreen.dicom.DicomException;
import org.cxrscreen.imaging.ImageRejectedException;
import org.cxrscreen.ingest.domain.InstanceLedger.LedgerUnavailableException;
import org.cxrscreen.ingest.messaging.ImagePublisher.PublishFailedException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps refusals to JSON errors: empty 400, not PNG/JPEG 415, over the byte limit 413, corrupt,
 * truncated or too many pixels 422; an unavailable event stream 503 with Retry-After. Each refusal is
 * counted by reason ({@code ingest.images.refused}).
 */
public class ImageRejectedMapper {

    private final MeterRegistry metrics;

    public ImageRejectedMapper(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    @ServerExceptionMapper
    public Response refused(ImageRejectedException e) {
        metrics.counter("ingest.images.refused", "reason", e.reason().name().toLowerCase(Locale.ROOT)).increment();
        int status = switch (e.reason()) {
            case EMPTY -> 400;
            case UNSUPPORTED_FORMAT -> 415;
            case TOO_LARGE -> 413;
            case CORRUPT, TOO_MANY_PIXELS, UNSUPPORTED_PIXELS -> 422;
        };
        String code = switch (e.reason()) {
            case EMPTY -> "empty_image";
            case UNSUPPORTED_FORMAT -> "unsupported_format";
            case TOO_LARGE -> "image_too_large";
            case CORRUPT -> "corrupt_image";
            case TOO_MANY_PIXELS -> "too_many_pixels";
            case UNSUPPORTED_PIXELS -> "unsupported_pixels";
        };
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(code, e.getMessage()))
                .build();
    }

    /** DICOM refusals (already counted by {@code DicomIntake}): the reason's code and words. */
    @ServerExceptionMapper
    public Response refused(DicomException e) {
        int status = switch (e.reason()) {
            case NOT_DICOM, TRUNCATED, MALFORMED -> 400;
            case UNSUPPORTED_TRANSFER_SYNTAX -> 415;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_PIXELS, NO_PIXEL_DATA, NOT_ELIGIBLE -> 422;
        };
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ApiError("dicom_" + e.reason().name().toLowerCase(Locale.ROOT), e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response unavailable(LedgerUnavailableException e) {
        metrics.counter("ingest.images.refused", "reason", "unavailable").increment();
        return Response.status(503).header("Retry-After", "5").type(MediaType.APPLICATION_JSON)
                .entity(new ApiError("unavailable", e.getMessage() + "; nothing was accepted, retry later")).build();
    }

    @ServerExceptionMapper
    public Response unavailable(PublishFailedException e) {
        metrics.counter("ingest.images.refused", "reason", "unavailable").increment();
        return Response.status(503).header("Retry-After", "5").type(MediaType.APPLICATION_JSON)
                .entity(new ApiError("unavailable", e.getMessage() + "; nothing was accepted, retry later")).build();
    }
}
