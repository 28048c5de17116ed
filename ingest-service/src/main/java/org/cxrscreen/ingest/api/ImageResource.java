package org.cxrscreen.ingest.api;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.dicom.DicomReader;
import org.cxrscreen.imaging.ImageRejectedException;
import org.cxrscreen.ingest.domain.DicomIntake;
import org.cxrscreen.ingest.config.IngestConfig;
import org.cxrscreen.ingest.domain.ImageIntake;
import org.cxrscreen.ingest.messaging.ImagePublisher;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * {@code POST /api/v1/images}: takes a PNG, JPEG or DICOM Part 10 file ({@code application/dicom}, or
 * any body that starts like one) as the raw body or as the multipart part {@code file}, publishes its
 * canonical form on {@code xray.images.v1} and answers 202 with the image id. A DICOM object goes
 * through the same eligibility and de-identification as a C-STORE; its image id is the pseudonym of its
 * SOP instance UID, and a copy of an instance already received is answered 200 with status
 * {@code duplicate} and not published again. Refusals are 4xx JSON errors (see
 * {@link ImageRejectedMapper}); nothing is published for them.
 */
@Path("/api/v1/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImageResource {

    /** The 202 answer. */
    public record Accepted(String imageId, String status, String format, int originalWidth, int originalHeight,
            int width, int height, Instant receivedAt, String studyId, String modality, String view, String result) {
    }

    private final ImageIntake intake;
    private final ImagePublisher publisher;
    private final IngestConfig config;
    private final MeterRegistry metrics;

    private final DicomIntake dicom;

    public ImageResource(IngestConfig config, ImagePublisher publisher, DicomIntake dicom, MeterRegistry metrics) {
        this.intake = new ImageIntake(config.limits(), Clock.systemUTC());
        this.dicom = dicom;
        this.publisher = publisher;
        this.config = config;
        this.metrics = metrics;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response upload(byte[] body) {
        return accept(body == null ? new byte[0] : body);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response uploadForm(@RestForm("file") FileUpload file) {
        if (file == null) {
            throw new ImageRejectedException(ImageRejectedException.Reason.EMPTY,
                    "the multipart upload has no part named 'file'. Accepted: " + config.limits().describe() + ".");
        }
        if (file.size() > config.maxBytes()) {
            throw new ImageRejectedException(ImageRejectedException.Reason.TOO_LARGE, "the image is " + file.size()
                    + " bytes, more than the limit. Accepted: " + config.limits().describe() + ".");
        }
        try {
            return accept(Files.readAllBytes(file.uploadedFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Response accept(byte[] data) {
        if (DicomReader.isPart10(data)) {
            DicomIntake.Accepted accepted = dicom.acceptFile(data, DicomIntake.HTTP_DICOM);
            return answer(accepted.event(), accepted.published() ? 202 : 200,
                    accepted.published() ? "accepted" : "duplicate");
        }
        ImageReceived event = intake.accept(data, ImageIntake.HTTP_UPLOAD);
        publisher.publish(event, config.publishTimeout());
        metrics.counter("ingest.images.accepted", "source", event.source()).increment();
        return answer(event, 202, "accepted");
    }

    private Response answer(ImageReceived event, int status, String outcome) {
        String result = config.resultUrl().map(u -> u.replace("{imageId}", event.imageId())).orElse(null);
        return Response.status(status).entity(new Accepted(event.imageId(), outcome, event.originalFormat(),
                event.originalWidth(), event.originalHeight(), event.width(), event.height(), event.receivedAt(),
                event.studyId(), event.modality(), event.view(), result)).build();
    }
}
