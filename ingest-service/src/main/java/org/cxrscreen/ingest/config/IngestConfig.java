package org.cxrscreen.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
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

    default ImageLimits limits() {
        return new ImageLimits(maxBytes(), maxPixels(), maxSide());
    }
}
