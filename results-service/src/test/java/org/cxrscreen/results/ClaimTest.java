package org.cxrscreen.results;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.cxrscreen.results.review.ReviewCase;
import org.junit.jupiter.api.Test;

class ClaimTest {

    @Test
    void aClaimHoldsUntilItExpires() {
        ReviewCase c = new ReviewCase();
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        assertThat(c.holder(now)).isNull();
        c.claimedBy = "rita";
        c.claimExpiresAt = now.plusSeconds(60);
        assertThat(c.holder(now)).isEqualTo("rita");
        assertThat(c.holder(now.plusSeconds(60))).isNull();
        assertThat(c.holder(now.plusSeconds(3600))).isNull();
    }
}
