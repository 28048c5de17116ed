package org.cxrscreen.results.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Review settings, prefix {@code results.review}. */
@ConfigMapping(prefix = "results.review")
public interface ReviewConfig {

    /** Cases whose top probability is below this are flagged (admins may change it at run time). */
    @WithDefault("0.80")
    double confidenceThreshold();

    /** How long a claim holds a case for its reader. */
    @WithDefault("30m")
    Duration claimDuration();

    /** How often the outbox relay looks for events to publish. */
    @WithDefault("1s")
    String outboxInterval();
}
