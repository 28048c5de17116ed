package org.cxrscreen.results.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Row of {@code images}: the metadata of an image as the ingest published it. */
@Entity
@Table(name = "images")
public class ImageEntity {

    @Id
    @Column(name = "image_id")
    public String imageId;

    public String source;

    @Column(name = "study_id")
    public String studyId;

    @Column(name = "instance_id")
    public String instanceId;

    public String modality;

    @Column(name = "view_position")
    public String viewPosition;

    @Column(name = "original_format")
    public String originalFormat;

    @Column(name = "original_width")
    public int originalWidth;

    @Column(name = "original_height")
    public int originalHeight;

    public int width;

    public int height;

    @Column(name = "received_at")
    public Instant receivedAt;

    @Column(name = "stored_at", insertable = false, updatable = false)
    public Instant storedAt;
}
