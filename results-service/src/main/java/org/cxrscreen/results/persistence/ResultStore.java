package org.cxrscreen.results.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.results.review.ReviewService;

/**
 * Writes and reads results. Writes are keyed (image id; image id + model version), so a redelivered
 * or duplicated event finds its row and changes nothing; the unique constraint of
 * {@code predictions} backs this up against concurrent writers.
 */
@ApplicationScoped
public class ResultStore {

    private final ImageRepository images;
    private final PredictionRepository predictions;
    private final ReviewService reviews;

    public ResultStore(ImageRepository images, PredictionRepository predictions, ReviewService reviews) {
        this.images = images;
        this.predictions = predictions;
        this.reviews = reviews;
    }

    /** Stores an image's metadata; returns false when it was already stored. */
    @Transactional
    public boolean record(ImageReceived event) {
        if (images.findById(event.imageId()) != null) {
            return false;
        }
        ImageEntity image = new ImageEntity();
        image.imageId = event.imageId();
        image.source = event.source();
        image.studyId = event.studyId();
        image.instanceId = event.instanceId();
        image.modality = event.modality();
        image.viewPosition = event.view();
        image.originalFormat = event.originalFormat();
        image.originalWidth = event.originalWidth();
        image.originalHeight = event.originalHeight();
        image.width = event.width();
        image.height = event.height();
        image.receivedAt = event.receivedAt();
        images.persist(image);
        images.flush();
        // the canonical image, for review; kept out of the entity so listings never load it
        images.getEntityManager().createNativeQuery("update images set png = ?1 where image_id = ?2")
                .setParameter(1, event.png()).setParameter(2, event.imageId()).executeUpdate();
        return true;
    }

    /** Stores a prediction; returns false when this image already has one from this model version. */
    @Transactional
    public boolean record(PredictionMade event) {
        List<PredictionEntity> stored = predictions.forImage(event.imageId());
        if (stored.stream().anyMatch(earlier -> earlier.modelVersion.equals(event.modelVersion()))) {
            return false;
        }
        PredictionEntity p = new PredictionEntity();
        p.imageId = event.imageId();
        p.modelName = event.modelName();
        p.modelVersion = event.modelVersion();
        p.label = event.label().name();
        p.covid19 = event.probabilities().getOrDefault(ScreeningClass.COVID19, 0.0);
        p.normal = event.probabilities().getOrDefault(ScreeningClass.NORMAL, 0.0);
        p.pneumonia = event.probabilities().getOrDefault(ScreeningClass.PNEUMONIA, 0.0);
        p.worker = event.worker();
        p.inferenceMillis = event.inferenceMillis();
        p.imageReceivedAt = event.imageReceivedAt();
        p.predictedAt = event.occurredAt();
        p.eventId = event.eventId();
        predictions.persist(p);
        Map<String, ScreeningClass> labels = new LinkedHashMap<>();
        for (PredictionEntity earlier : stored) {
            labels.put(earlier.modelVersion, ScreeningClass.valueOf(earlier.label));
        }
        labels.put(event.modelVersion(), event.label());
        ImageEntity image = images.findById(event.imageId());
        reviews.onPrediction(event, labels, image == null ? null : image.receivedAt);
        return true;
    }

    @Transactional
    public Optional<ImageEntity> image(String imageId) {
        return images.findByIdOptional(imageId);
    }

    @Transactional
    public List<PredictionEntity> predictions(String imageId) {
        return predictions.forImage(imageId);
    }

    /** One page of predictions, newest first, optionally of one label, with the total count. */
    public record Page(List<PredictionEntity> items, long total) {
    }

    @Transactional
    public Page page(int page, int size, ScreeningClass label) {
        var query = predictions.newest(label == null ? null : label.name());
        return new Page(query.page(page, size).list(), query.count());
    }

    /** Images of the given ids, for joining metadata onto a page of predictions. */
    @Transactional
    public List<ImageEntity> images(List<String> ids) {
        return ids.isEmpty() ? List.of() : images.list("imageId in ?1", ids);
    }
}
