package org.cxrscreen.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.cxrscreen.imaging.ImageLimits;

/** Configuration of the ingest service, prefix {@code ingest}. */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

    /** Largest accepted upload, in bytes. */
    @WithDefault("33554432")
    long maxBytes();

    /** Largest accepted width x height, checked from the header before decoding. */
    @WithDefault("36000000")
    long maxPixels();

    /** Largest accepted width or height. */
    @WithDefault("12000")
    int maxSide();

    /** How long an upload waits for Kafka to acknowledge its event before it is answered 503. */
    @WithDefault("10s")
    Duration publishTimeout();

    /**
     * Where clients read a result, with {@code {imageId}} replaced; given back in the 202 answer.
     * Unset: no link.
     */
    Optional<String> resultUrl();

    /**
     * Key of the pseudonyms that replace DICOM UIDs (HMAC-SHA256), at least 32 characters. From the
     * environment ({@code INGEST_PSEUDONYM_KEY}) or a secret, never from the repository; changing it
     * changes every study and image id.
     */
    String pseudonymKey();

    /** The DICOM edge. */
    Dicom dicom();

    default ImageLimits limits() {
        return new ImageLimits(maxBytes(), maxPixels(), maxSide());
    }

    /** C-STORE SCP and eligibility, prefix {@code ingest.dicom}. */
    interface Dicom {

        /** Run the C-STORE/C-ECHO SCP. */
        @WithDefault("true")
        boolean enabled();

        /** TCP port of the SCP (0: any free port). */
        @WithDefault("11112")
        int port();

        /** The called AE title peers must use. */
        @WithDefault("CXRSCREEN")
        String aeTitle();

        /** Calling AE titles allowed to associate; unset: any. */
        Optional<Set<String>> allowedCallingAes();

        /** Associations served at once; more are rejected as transient. */
        @WithDefault("16")
        int maxAssociations();

        /** Longest PDU this side receives, announced to peers. */
        @WithDefault("131072")
        int maxPduLength();

        /** Time a connection has to send its association request. */
        @WithDefault("10s")
        Duration requestTimeout();

        /** Time a peer may stay silent inside an association before it is aborted. */
        @WithDefault("60s")
        Duration idleTimeout();

        /** Screen objects without a view position (0018,5101); by default they are refused. */
        @WithDefault("false")
        boolean allowMissingView();
    }
}
