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
import org.cxrscreen.imaging.ImageRejectedException;
import org.cxrscreen.ingest.config.IngestConfig;
import org.cxrscreen.ingest.domain.ImageIntake;
import org.cxrscreen.ingest.messaging.ImagePublisher;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * {@code POST /api/v1/images}: takes a PNG or JPEG as the raw body or as the multipart part
 * {@code file}, publishes its canonical form on {@code xray.images.v1} and answers 202 with the image
 * id. Refusals are 4xx JSON errors (see {@link ImageRejectedMapper}); nothing is published for them.
 */
@Path("/api/v1/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImageResource {

    /** The 202 answer. */
    public record Accepted(String imageId, String status, String format, int originalWidth, int originalHeight,
            int width, int height, Instant receivedAt, String result) {
    }

    private final ImageIntake intake;
    private final ImagePublisher publisher;
    private final IngestConfig config;
    private final MeterRegistry metrics;

    public ImageResource(IngestConfig config, ImagePublisher publisher, MeterRegistry metrics) {
        this.intake = new ImageIntake(config.limits(), Clock.systemUTC());
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
        ImageReceived event = intake.accept(data, ImageIntake.HTTP_UPLOAD);
        publisher.publish(event, config.publishTimeout());
        metrics.counter("ingest.images.accepted", "source", event.source()).increment();
        String result = config.resultUrl().map(u -> u.replace("{imageId}", event.imageId())).orElse(null);
        return Response.accepted(new Accepted(event.imageId(), "accepted", event.originalFormat(),
                event.originalWidth(), event.originalHeight(), event.width(), event.height(), event.receivedAt(),
                result)).build();
    }
}
