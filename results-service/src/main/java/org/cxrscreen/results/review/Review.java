package org.cxrscreen.results.review;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Row of {@code reviews}: one reader's label for one image. */
@Entity
@Table(name = "reviews")
public class Review extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "image_id")
    public String imageId;

    public String reviewer;

    public String label;

    public String comment;

    @Column(name = "model_version")
    public String modelVersion;

    @Column(name = "model_label")
    public String modelLabel;

    @Column(name = "reviewed_at")
    public Instant reviewedAt;
}
