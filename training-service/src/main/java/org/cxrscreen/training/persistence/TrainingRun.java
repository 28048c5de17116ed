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
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** Row of {@code training_run}: one run, its data, both models' figures, the decision and why. */
@Entity
@Table(name = "training_run")
public class TrainingRun extends PanacheEntityBase {

    /** What started a run. */
    public enum Kind {
        /** No model yet: a starter model from the base set. */
        BOOTSTRAP,
        /** The schedule, with enough new labels. */
        SCHEDULED,
        /** An administrator. */
        MANUAL
    }

    /** Where a run is. */
    public enum Status {
        QUEUED,
        RUNNING,
        /** The candidate passed the gate and was published. */
        PROMOTED,
        /** The candidate failed the gate; it is kept in the registry, not served. */
        REJECTED,
        /** The run stopped with an error. */
        FAILED;

        public boolean finished() {
            return this == PROMOTED || this == REJECTED || this == FAILED;
        }
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Enumerated(EnumType.STRING)
    public Kind kind;

    @Enumerated(EnumType.STRING)
    public Status status;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "requested_at")
    public Instant requestedAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "base_version")
    public String baseVersion;

    @Column(name = "candidate_version")
    public String candidateVersion;

    @Column(name = "labels_through")
    public Long labelsThrough;

    @JdbcTypeCode(SqlTypes.JSON)
    public String options;

    @JdbcTypeCode(SqlTypes.JSON)
    public String data;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "serving_metrics")
    public String servingMetrics;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "candidate_metrics")
    public String candidateMetrics;

    public String decision;

    @JdbcTypeCode(SqlTypes.JSON)
    public String reasons;

    @JdbcTypeCode(SqlTypes.JSON)
    public String progress;

    public String error;

    public Double seconds;
}
