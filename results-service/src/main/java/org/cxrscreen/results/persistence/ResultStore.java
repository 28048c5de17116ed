package org.cxrscreen.results.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Optional;
import org.cxrscreen.contracts.ImageReceived;
import org.cxrscreen.contracts.PredictionMade;
import org.cxrscreen.contracts.ScreeningClass;

/**
 * Writes and reads results. Writes are keyed (image id; image id + model version), so a redelivered
 * or duplicated event finds its row and changes nothing; the unique constraint of
 * {@code predictions} backs this up against concurrent writers.
 */
@ApplicationScoped
public class ResultStore {

    private final ImageRepository images;
    private final PredictionRepository predictions;

    public ResultStore(ImageRepository images, PredictionRepository predictions) {
        this.images = images;
        this.predictions = predictions;
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
        return true;
    }

    /** Stores a prediction; returns false when this image already has one from this model version. */
    @Transactional
    public boolean record(PredictionMade event) {
        if (predictions.find(event.imageId(), event.modelVersion()).isPresent()) {
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
