package org.cxrscreen.training.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;

/**
 * Row of {@code promotion}: a version made the one to serve. The latest row names the serving version;
 * {@code event} is its {@code ModelPublished} record, sent by the relay and marked {@code publishedAt}.
 */
@Entity
@Table(name = "promotion")
public class Promotion extends PanacheEntityBase {

    /** Why a version was promoted. */
    public enum Reason {
        /** A candidate passed the promotion gate. */
        GATE,
        /** An administrator promoted an earlier version. */
        ROLLBACK,
        /** The first model of an installation. */
        BOOTSTRAP
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "model_name")
    public String modelName;

    public String version;

    @Column(name = "promoted_at")
    public Instant promotedAt;

    @Column(name = "promoted_by")
    public String promotedBy;

    @Enumerated(EnumType.STRING)
    public Reason reason;

    @Column(name = "run_id")
    public Long runId;

    public byte[] event;

    @Column(name = "published_at")
    public Instant publishedAt;

    /** The promotion in force: the latest. */
    public static Optional<Promotion> current() {
        return find("order by id desc").<Promotion>firstResultOptional();
    }
}
