package org.cxrscreen.training.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Row of {@code label_event}: a {@code LabelAssigned} event as received, kept for provenance. */
@Entity
@Table(name = "label_event")
public class LabelEvent extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "image_id")
    public String imageId;

    public String label;

    @Column(name = "reviewer_id")
    public String reviewerId;

    @Column(name = "labelled_at")
    public Instant labelledAt;

    public String reason;

    @Column(name = "model_version")
    public String modelVersion;

    @Column(name = "model_label")
    public String modelLabel;

    public String comment;

    @Column(name = "received_at")
    public Instant receivedAt;
}
