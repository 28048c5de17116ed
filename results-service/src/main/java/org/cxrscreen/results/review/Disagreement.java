package org.cxrscreen.results.review;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Row of {@code disagreements}: a review whose label differs from the model's. */
@Entity
@Table(name = "disagreements")
public class Disagreement extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "review_id")
    public Long reviewId;

    @Column(name = "image_id")
    public String imageId;

    @Column(name = "model_version")
    public String modelVersion;

    @Column(name = "model_label")
    public String modelLabel;

    @Column(name = "reviewer_label")
    public String reviewerLabel;

    @Column(name = "p_covid19")
    public double covid19;

    @Column(name = "p_normal")
    public double normal;

    @Column(name = "p_pneumonia")
    public double pneumonia;

    @Column(name = "recorded_at")
    public Instant recordedAt;
}
