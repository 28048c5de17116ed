package org.cxrscreen.results.api;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cxrscreen.results.persistence.ImageEntity;
import org.cxrscreen.results.persistence.PredictionEntity;

/** The JSON shapes of the results API. */
public final class ResultViews {

    private ResultViews() {
    }

    /** An image's metadata. */
    public record ImageView(String source, String studyId, String instanceId, String modality, String view,
            String originalFormat, int originalWidth, int originalHeight, int width, int height, Instant receivedAt) {

        static ImageView of(ImageEntity e) {
            return e == null ? null : new ImageView(e.source, e.studyId, e.instanceId, e.modality, e.viewPosition,
                    e.originalFormat, e.originalWidth, e.originalHeight, e.width, e.height, e.receivedAt);
        }
    }

    /**
     * One model's prediction; {@code latencyMillis} is from the ingest accepting the image to the
     * prediction being made.
     */
    public record PredictionView(String modelName, String modelVersion, String label,
            Map<String, Double> probabilities, String worker, Double inferenceMillis, Instant predictedAt,
            Long latencyMillis) {

        static PredictionView of(PredictionEntity p) {
            Map<String, Double> probabilities = new LinkedHashMap<>();
            probabilities.put("COVID19", p.covid19);
            probabilities.put("NORMAL", p.normal);
            probabilities.put("PNEUMONIA", p.pneumonia);
            Long latency = p.imageReceivedAt == null ? null
                    : Duration.between(p.imageReceivedAt, p.predictedAt).toMillis();
            return new PredictionView(p.modelName, p.modelVersion, p.label, probabilities, p.worker,
                    p.inferenceMillis, p.predictedAt, latency);
        }
    }

    /** Everything known of one image: metadata (null until it arrives) and its predictions, newest first. */
    public record ResultView(String imageId, ImageView image, PredictionView latest, List<PredictionView> predictions) {
    }

    /** One line of the result list: a prediction and its image's metadata. */
    public record ResultItem(String imageId, PredictionView prediction, ImageView image) {
    }

    /** A page of results. */
    public record PageView(int page, int size, long total, List<ResultItem> items) {
    }

    /** An error body. */
    public record ApiError(String error, String message) {
    }
}
