package org.cxrscreen.training.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.training.data.Split;

/**
 * Row of {@code labelled_image}: the current label of an image of the data set, with who gave it and
 * what the model had said.
 */
@Entity
@Table(name = "labelled_image")
public class DataSetEntry extends PanacheEntityBase {

    /** Where a labelled image came from. */
    public enum Origin {
        /** An imported labelled folder: the base set, split once by patient. */
        BASE,
        /** A radiologist's label from {@code xray.labels.v1}. */
        REVIEW
    }

    @Id
    @Column(name = "image_id")
    public String imageId;

    @Enumerated(EnumType.STRING)
    public Origin origin;

    /** The base set's part; reviewed images are all {@code TRAIN}. {@code TEST} is never trained on. */
    @Enumerated(EnumType.STRING)
    public Split.Part part;

    @Enumerated(EnumType.STRING)
    public ScreeningClass label;

    public String patient;

    public String source;

    @Column(name = "reviewer_id")
    public String reviewerId;

    @Column(name = "labelled_at")
    public Instant labelledAt;

    public String reason;

    @Column(name = "model_version")
    public String modelVersion;

    @Enumerated(EnumType.STRING)
    @Column(name = "model_label")
    public ScreeningClass modelLabel;

    @Column(name = "label_seq")
    public long labelSeq;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
