package org.cxrscreen.results.persistence;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** Images by id. */
@ApplicationScoped
public class ImageRepository implements PanacheRepositoryBase<ImageEntity, String> {
}
