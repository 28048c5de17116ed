package org.cxrscreen.ingest.domain;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.dicom.Deidentifier;
import org.cxrscreen.dicom.DicomException;
import org.cxrscreen.dicom.DicomImages;
import org.cxrscreen.dicom.DicomImages.Screenable;
import org.cxrscreen.dicom.Eligibility;
import org.cxrscreen.imaging.CanonicalImages;
import org.cxrscreen.imaging.GrayImage;
import org.cxrscreen.ingest.config.IngestConfig;
import org.cxrscreen.ingest.messaging.ImagePublisher;
import org.jboss.logging.Logger;

/**
 * Every DICOM object, whichever way it came (C-STORE, STOW-RS, HTTP upload), goes through here: read,
 * checked for eligibility, de-identified, decoded, made canonical and published once per SOP
 * instance. The image id is the pseudonym of the SOP instance UID, so a study is traceable inside the
 * hospital (by whoever holds the key) and nowhere else. Refusals are counted by source and reason in
 * {@code ingest.dicom.refused} and logged with their reason only, never with patient data.
 */
@ApplicationScoped
public class DicomIntake {

    /** Sources in {@link ImageReceived#source()}. */
    public static final String C_STORE = "dicom-c-store";
    public static final String STOW = "dicomweb-stow";
    public static final String HTTP_DICOM = "http-upload";

    private static final Logger LOG = Logger.getLogger(DicomIntake.class);

    /**
     * The outcome of an accepted object.
     *
     * @param event what was published (or had been, for a copy)
     * @param published false when the same instance had been published before
     * @param sopClassUid as sent, for the answer to the sender
     * @param sopInstanceUid as sent, for the answer to the sender only
     */
    public record Accepted(ImageReceived event, boolean published, String sopClassUid, String sopInstanceUid) {
    }

    private final DicomImages images;
    private final InstanceLedger ledger;
    private final ImagePublisher publisher;
    private final IngestConfig config;
    private final MeterRegistry metrics;
    private final Clock clock = Clock.systemUTC();

    public DicomIntake(IngestConfig config, InstanceLedger ledger, ImagePublisher publisher, MeterRegistry metrics) {
        this.images = new DicomImages(new Eligibility(config.dicom().allowMissingView()), config.limits(),
                new Deidentifier(config.pseudonymKey()));
        this.ledger = ledger;
        this.publisher = publisher;
        this.config = config;
        this.metrics = metrics;
    }

    /** A Part 10 file (STOW-RS, HTTP upload). */
    public Accepted acceptFile(byte[] file, String source) {
        Instant received = clock.instant();
        return accept(() -> images.fromPart10(file), source, received);
    }

    /** A C-STORE data set in its negotiated transfer syntax. */
    public Accepted acceptDataset(byte[] dataset, String transferSyntaxUid, String source) {
        Instant received = clock.instant();
        return accept(() -> images.fromDataset(dataset, transferSyntaxUid), source, received);
    }

    private interface Reading {
        Screenable read();
    }

    private Accepted accept(Reading reading, String source, Instant received) {
        Screenable screenable;
        try {
            screenable = reading.read();
        } catch (DicomException e) {
            refused(source, e.reason().name(), e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            // a defect in the reader must not take the edge down nor hide what happened
            LOG.errorf("unexpected %s reading a DICOM object from %s", e.getClass().getName(), source);
            refused(source, "INTERNAL", e.getClass().getSimpleName());
            throw new DicomException(DicomException.Reason.MALFORMED, "the object could not be read ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        GrayImage canonical = CanonicalImages.canonicalise(screenable.image());
        byte[] png = CanonicalImages.encodePng(canonical);
        var instance = screenable.instance();
        ImageReceived event = new ImageReceived(UUID.randomUUID(), Instant.now(), ImageReceived.SCHEMA_VERSION,
                instance.instanceId(), source, instance.studyId(), instance.instanceId(), instance.modality(),
                instance.view(), "DICOM", screenable.image().width(), screenable.image().height(), canonical.width(),
                canonical.height(), received, png);
        boolean published = ledger.publishOnce(instance.instanceId(), instance.studyId(), source, received,
                () -> publisher.publish(event, config.publishTimeout()));
        if (published) {
            metrics.counter("ingest.images.accepted", "source", source).increment();
            LOG.infof("accepted DICOM image %s (study %s, %s %s, %s) from %s", instance.instanceId(),
                    instance.studyId(), instance.modality(), instance.view(), screenable.syntax().title(), source);
        } else {
            metrics.counter("ingest.dicom.duplicates", "source", source).increment();
            LOG.infof("image %s was received before; not published again", instance.instanceId());
        }
        return new Accepted(event, published, screenable.sopClassUid(), screenable.sopInstanceUid());
    }

    private void refused(String source, String reason, String message) {
        metrics.counter("ingest.dicom.refused", "source", source, "reason", reason.toLowerCase(Locale.ROOT))
                .increment();
        LOG.infof("refused a DICOM object from %s: %s", source, message);
    }
}
