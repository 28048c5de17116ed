package org.cxrscreen.training.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.cxrscreen.model.ModelArchive;
import org.cxrscreen.model.ModelCard;
import org.cxrscreen.training.domain.ModelRegistry;
import org.cxrscreen.training.loop.Promotions;
import org.cxrscreen.training.persistence.Promotion;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The model registry over HTTP: the trained versions with their test figures and which one serves,
 * a version's card, its artifact (a zip of its card and ONNX file, {@link ModelArchive}, with the ONNX
 * file's SHA-256 in {@code X-Model-SHA256}), the promotion history, and promoting a version by hand
 * (a rollback; {@code admin}).
 */
@Path("/api/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelRegistryResource {

    /** One line of the list. */
    public record ModelSummary(String version, String name, String architecture, Instant createdAt, String sha256,
            String artifact, boolean serving, boolean everPromoted, Map<String, Double> metrics) {
    }

    /** A promotion, as listed. */
    public record PromotionView(long id, String version, Instant promotedAt, String promotedBy, String reason,
            Long runId, Instant publishedAt) {

        static PromotionView of(Promotion p) {
            return new PromotionView(p.id, p.version, p.promotedAt, p.promotedBy, p.reason.name(), p.runId,
                    p.publishedAt);
        }
    }

    private final Promotions promotions;

    public ModelRegistryResource(Promotions promotions) {
        this.promotions = promotions;
    }

    @GET
    @Operation(summary = "The verified versions, newest first, with their test figures and which one serves")
    public List<ModelSummary> list() {
        List<Promotion> history = promotions.history();
        String serving = history.isEmpty() ? null : history.get(0).version;
        var promoted = history.stream().map(p -> p.version).collect(Collectors.toSet());
        return promotions.registry().list().stream()
                .map(e -> summary(e.card(), e.card().version().equals(serving), promoted.contains(e.card().version())))
                .toList();
    }

    @GET
    @Path("/serving")
    @Operation(summary = "The version that serves (the latest promotion) and its promotion")
    public Map<String, Object> serving() {
        Promotion current = promotions.current().orElseThrow(() -> ApiError.of(404, "no_model_serving",
                "no version has been promoted yet: the bootstrap trains or registers the first"));
        ModelCard card = entry(current.version).card();
        return Map.of("model", summary(card, true, true), "promotion", PromotionView.of(current));
    }

    @GET
    @Path("/promotions")
    @Operation(summary = "Every promotion, latest first: version, when, by whom, why, and when it was published")
    public List<PromotionView> promotionHistory() {
        return promotions.history().stream().map(PromotionView::of).toList();
    }

    @GET
    @Path("/{version}")
    @Operation(summary = "A version's card (model.json): input, classes, operating point, test report, training")
    public ModelCard card(@PathParam("version") String version) {
        return entry(version).card();
    }

    @GET
    @Path("/{version}/artifact")
    @Produces(ModelArchive.MEDIA_TYPE)
    @Operation(summary = "Download a version: a zip of model.json and the ONNX file; X-Model-SHA256 is the ONNX file's digest")
    public Response artifact(@PathParam("version") String version) {
        ModelRegistry.Entry entry = entry(version);
        StreamingOutput archive = out -> ModelArchive.write(entry.dir(), entry.card(), out);
        return Response.ok(archive, ModelArchive.MEDIA_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + version + ".zip\"")
                .header("X-Model-SHA256", entry.card().sha256())
                .build();
    }

    @POST
    @Path("/{version}/promote")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Serve this version (a rollback to an earlier one): published on models.published.v1")
    public Response promote(@PathParam("version") String version, @Context SecurityContext security) {
        ModelRegistry.Entry entry = entry(version);
        Optional<Promotion> current = promotions.current();
        if (current.isPresent() && current.get().version.equals(version)) {
            throw ApiError.of(409, "already_serving", "version '" + version + "' already serves");
        }
        Promotion promotion = promotions.promote(entry, security.getUserPrincipal().getName(),
                Promotion.Reason.ROLLBACK, null);
        promotions.publishPending();
        return Response.ok(PromotionView.of(promotions.find(promotion.id))).build();
    }

    private ModelRegistry.Entry entry(String version) {
        return promotions.registry().find(version).orElseThrow(() -> ApiError.of(404, "model_not_found",
                "no model version '" + version + "' (GET /api/v1/models lists them)"));
    }

    private static ModelSummary summary(ModelCard card, boolean serving, boolean everPromoted) {
        return new ModelSummary(card.version(), card.name(), card.architecture(), card.createdAt(), card.sha256(),
                "/api/v1/models/" + card.version() + "/artifact", serving, everPromoted, Promotions.metrics(card));
    }
}
