package org.cxrscreen.inference.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.cxrscreen.inference.lifecycle.ModelLifecycle;
import org.cxrscreen.inference.ml.ModelHolder;

/**
 * {@code GET /api/v1/model}: the card of the model this worker serves (404 while none is);
 * {@code GET /api/v1/model/history}: the versions served, refused and ignored, newest first.
 */
@Path("/api/v1/model")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final ModelHolder models;
    private final ModelLifecycle lifecycle;

    public ModelResource(ModelHolder models, ModelLifecycle lifecycle) {
        this.models = models;
        this.lifecycle = lifecycle;
    }

    @GET
    public Response served() {
        return models.card().map(card -> Response.ok(card).build())
                .orElseGet(() -> Response.status(404).entity(Map.of("error", "no_model",
                        "message", "no model is served yet: waiting for models.published")).build());
    }

    @GET
    @Path("/history")
    public List<ModelLifecycle.Change> history() {
        return lifecycle.history();
    }
}
