package org.cxrscreen.inference.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.cxrscreen.inference.ml.ClassifierService;
import org.cxrscreen.model.ModelCard;

/** {@code GET /api/v1/model}: the card of the model this worker serves. */
@Path("/api/v1/model")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final ClassifierService classifier;

    public ModelResource(ClassifierService classifier) {
        this.classifier = classifier;
    }

    @GET
    public ModelCard served() {
        return classifier.card();
    }
}
