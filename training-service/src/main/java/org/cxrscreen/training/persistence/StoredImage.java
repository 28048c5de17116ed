package org.cxrscreen.training.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Row of {@code stored_image}: an image the service holds a file of, labelled or not yet. */
@Entity
@Table(name = "stored_image")
public class StoredImage extends PanacheEntityBase {

    @Id
    @Column(name = "image_id")
    public String imageId;

    /** Relative to {@code training.images-dir}. */
    public String file;

    public String source;

    /** The study's pseudonym, null when the source has none; the patient key of a reviewed image. */
    @Column(name = "study_id")
    public String studyId;

    @Column(name = "received_at")
    public Instant receivedAt;
}
