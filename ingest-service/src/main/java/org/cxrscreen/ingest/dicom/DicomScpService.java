package org.cxrscreen.ingest.dicom;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import org.cxrscreen.dicom.DicomException;
import org.cxrscreen.dicom.net.Dimse;
import org.cxrscreen.dicom.net.StoreScp;
import org.cxrscreen.ingest.config.IngestConfig;
import org.cxrscreen.ingest.domain.DicomIntake;
import org.cxrscreen.ingest.domain.InstanceLedger.LedgerUnavailableException;
import org.cxrscreen.ingest.messaging.ImagePublisher.PublishFailedException;
import org.jboss.logging.Logger;

/**
 * The C-STORE and C-ECHO SCP PACS push to. Each C-STORE is answered only after its image is
 * published (or known to be): success {@code 0000}; not a screenable chest radiograph {@code C001};
 * unreadable or unsupported {@code C000}; Kafka or PostgreSQL unavailable {@code A700}, which senders
 * retry. Every failure status carries its reason as the error comment.
 */
@ApplicationScoped
public class DicomScpService {

    private static final Logger LOG = Logger.getLogger(DicomScpService.class);

    private final IngestConfig config;
    private final DicomIntake intake;
    private final MeterRegistry metrics;
    private volatile StoreScp scp;

    public DicomScpService(IngestConfig config, DicomIntake intake, MeterRegistry metrics) {
        this.config = config;
        this.intake = intake;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        IngestConfig.Dicom dicom = config.dicom();
        if (!dicom.enabled()) {
            LOG.info("DICOM C-STORE SCP disabled (ingest.dicom.enabled=false)");
            return;
        }
        try {
            scp = StoreScp.start(new StoreScp.Config(dicom.port(), dicom.aeTitle(),
                    dicom.allowedCallingAes().orElse(Set.of()), dicom.maxAssociations(), dicom.maxPduLength(),
                    config.maxBytes(), dicom.requestTimeout(), dicom.idleTimeout()), this::store, new Metrics());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for DICOM on port " + dicom.port() + ": " + e.getMessage(), e);
        }
        LOG.infof("DICOM C-STORE SCP %s listening on port %d", dicom.aeTitle(), scp.port());
    }

    void stop(@Observes ShutdownEvent event) {
        if (scp != null) {
            scp.close();
        }
    }

    /** The port the SCP listens on (the configured one, or the one chosen for port 0). */
    public int port() {
        if (scp == null) {
            throw new IllegalStateException("the DICOM SCP is not running");
        }
        return scp.port();
    }

    private Dimse.Status store(StoreScp.StoreRequest request) {
        try {
            intake.acceptDataset(request.dataset(), request.transferSyntaxUid(), DicomIntake.C_STORE);
            return Dimse.Status.SUCCESS;
        } catch (DicomException e) {
            return e.reason() == DicomException.Reason.NOT_ELIGIBLE ? Dimse.Status.notScreened(e.getMessage())
                    : Dimse.Status.cannotUnderstand(e.getMessage());
        } catch (PublishFailedException | LedgerUnavailableException e) {
            metrics.counter("ingest.dicom.refused", "source", DicomIntake.C_STORE, "reason", "unavailable").increment();
            LOG.warnf("C-STORE answered out-of-resources: %s", e.getMessage());
            return Dimse.Status.outOfResources(e.getMessage() + "; nothing was accepted, retry later");
        } catch (RuntimeException e) {
            LOG.errorf(e, "C-STORE failed unexpectedly");
            return Dimse.Status.outOfResources("the ingest failed (" + e.getClass().getSimpleName()
                    + "); nothing was accepted, retry later");
        }
    }

    /** Association-level refusals, counted. */
    private final class Metrics implements StoreScp.Listener {
        @Override
        public void rejected(String reason) {
            metrics.counter("ingest.dicom.associations.rejected").increment();
            LOG.infof("association rejected: %s", reason);
        }

        @Override
        public void contextRefused(String abstractSyntax, int result) {
            metrics.counter("ingest.dicom.contexts.refused").increment();
        }

        @Override
        public void aborted(String reason) {
            metrics.counter("ingest.dicom.associations.aborted").increment();
            LOG.infof("association aborted: %s", reason);
        }
    }
}
