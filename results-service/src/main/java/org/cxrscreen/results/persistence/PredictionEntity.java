package org.cxrscreen.results.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Row of {@code predictions}: one per (image id, model version). */
@Entity
@Table(name = "predictions")
public class PredictionEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "image_id")
    public String imageId;

    @Column(name = "model_name")
    public String modelName;

    @Column(name = "model_version")
    public String modelVersion;

    public String label;

    @Column(name = "p_covid19")
    public double covid19;

    @Column(name = "p_normal")
    public double normal;

    @Column(name = "p_pneumonia")
    public double pneumonia;

    public String worker;

    @Column(name = "inference_millis")
    public Double inferenceMillis;

    @Column(name = "image_received_at")
    public Instant imageReceivedAt;

    @Column(name = "predicted_at")
    public Instant predictedAt;

    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "stored_at", insertable = false, updatable = false)
    public Instant storedAt;
}
