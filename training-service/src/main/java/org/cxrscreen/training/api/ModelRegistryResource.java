package org.cxrscreen.training.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Instant;
import java.util.List;

import org.cxrscreen.model.ModelArchive;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.training.config.TrainingConfig;
import org.cxrscreen.training.domain.ModelRegistry;

/**
 * The model registry over HTTP: {@code GET /api/v1/models} lists the trained versions,
 * {@code GET /api/v1/models/{version}} gives a model's card, and
 * {@code GET /api/v1/models/{version}/artifact} downloads it as a zip of its card and ONNX file
 * ({@link ModelArchive}), with the ONNX file's SHA-256 in {@code X-Model-SHA256}.
 */
@Path("/api/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelRegistryResource {

    /** One line of the list. */
    public record ModelSummary(String version, String name, String architecture, Instant createdAt, String sha256,
            String artifact) {
    }

    private final ModelRegistry registry;

    public ModelRegistryResource(TrainingConfig config) {
        this.registry = new ModelRegistry(config.modelsDir());
    }

    @GET
    public List<ModelSummary> list() {
        return registry.list().stream().map(e -> summary(e.card())).toList();
    }

    @GET
    @Path("/{version}")
    public ModelCard card(@PathParam("version") String version) {
        return entry(version).card();
    }

    @GET
    @Path("/{version}/artifact")
    @Produces(ModelArchive.MEDIA_TYPE)
    public Response artifact(@PathParam("version") String version) {
        ModelRegistry.Entry entry = entry(version);
        StreamingOutput archive = out -> ModelArchive.write(entry.dir(), entry.card(), out);
        return Response.ok(archive, ModelArchive.MEDIA_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + version + ".zip\"")
                .header("X-Model-SHA256", entry.card().sha256())
                .build();
    }

    private ModelRegistry.Entry entry(String version) {
        return registry.find(version).orElseThrow(() -> new NotFoundException(
                Response.status(404).type(MediaType.APPLICATION_JSON)
                        .entity(new ApiError("model_not_found", "no model version '" + version + "'"))
                        .build()));
    }

    private static ModelSummary summary(ModelCard card) {
        return new ModelSummary(card.version(), card.name(), card.architecture(), card.createdAt(), card.sha256(),
                "/api/v1/models/" + card.version() + "/artifact");
    }

    /** An error body. */
    public record ApiError(String error, String message) {
    }
}
