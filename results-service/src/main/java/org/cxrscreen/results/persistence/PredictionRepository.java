package org.cxrscreen.results.persistence;

import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.hibernate.orm.panache.PanacheRepository;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Predictions by image and model version, newest first. */
@ApplicationScoped
public class PredictionRepository implements PanacheRepository<PredictionEntity> {

    private static final Sort NEWEST_FIRST = Sort.descending("predictedAt", "id");

    public List<PredictionEntity> forImage(String imageId) {
        return find("imageId", NEWEST_FIRST, imageId).list();
    }

    /** All predictions, or those with {@code label}, newest first. */
    public PanacheQuery<PredictionEntity> newest(String label) {
        return label == null ? findAll(NEWEST_FIRST) : find("label", NEWEST_FIRST, label);
    }
}
