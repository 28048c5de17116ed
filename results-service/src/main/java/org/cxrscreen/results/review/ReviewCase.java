package org.cxrscreen.results.review;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/** Row of {@code review_cases}: one per image, with its latest prediction and its flags. */
@Entity
@Table(name = "review_cases")
public class ReviewCase extends PanacheEntityBase {

    public static final String OPEN = "OPEN";
    public static final String REVIEWED = "REVIEWED";

    @Id
    @Column(name = "image_id")
    public String imageId;

    @Column(name = "model_version")
    public String modelVersion;

    @Column(name = "predicted_label")
    public String predictedLabel;

    @Column(name = "p_covid19")
    public double covid19;

    @Column(name = "p_normal")
    public double normal;

    @Column(name = "p_pneumonia")
    public double pneumonia;

    @Column(name = "top_probability")
    public double topProbability;

    /** Comma-separated {@link FlagReason} names. */
    public String reasons;

    public boolean flagged;

    @Column(name = "positive_screen")
    public boolean positiveScreen;

    public String status;

    @Column(name = "arrived_at")
    public Instant arrivedAt;

    @Column(name = "flagged_at")
    public Instant flaggedAt;

    @Column(name = "claimed_by")
    public String claimedBy;

    @Column(name = "claim_expires_at")
    public Instant claimExpiresAt;

    /** {@link #reasons} as a set, in {@link FlagReason} order (the order they are stored in). */
    public Set<FlagReason> flagReasons() {
        Set<FlagReason> set = EnumSet.noneOf(FlagReason.class);
        if (reasons != null && !reasons.isBlank()) {
            Arrays.stream(reasons.split(",")).map(FlagReason::valueOf).forEach(set::add);
        }
        return set;
    }

    /** The reader holding it now, or null when unclaimed or the claim expired. */
    public String holder(Instant now) {
        return claimedBy != null && claimExpiresAt != null && claimExpiresAt.isAfter(now) ? claimedBy : null;
    }
}
