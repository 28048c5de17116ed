package org.cxrscreen.results.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.results.persistence.ResultStore;
import org.cxrscreen.results.review.FlagReason;
import org.cxrscreen.results.review.Review;
import org.cxrscreen.results.review.ReviewCase;
import org.cxrscreen.results.review.ReviewException;
import org.cxrscreen.results.review.ReviewService;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The radiologists' API: the worklist of flagged cases, a case with its image, claims, reviews, and
 * the statistics of agreement between readers and models. Roles: {@code radiologist} reads and
 * reviews, {@code auditor} reads, {@code admin} reads the statistics.
 */
@Path("/api/v1/review")
@Produces(MediaType.APPLICATION_JSON)
public class ReviewResource {

    /** A case on the worklist. */
    public record CaseItem(String imageId, String predictedLabel, Map<String, Double> probabilities,
            double topProbability, String modelVersion, List<String> reasons, boolean positiveScreen, String status,
            Instant arrivedAt, Instant flaggedAt, String claimedBy, Instant claimExpiresAt, String imageUrl) {

        static CaseItem of(ReviewCase c) {
            String holder = c.holder(Instant.now());
            return new CaseItem(c.imageId, c.predictedLabel, Map.of("COVID19", c.covid19, "NORMAL", c.normal,
                    "PNEUMONIA", c.pneumonia), c.topProbability, c.modelVersion,
                    c.flagReasons().stream().map(Enum::name).toList(), c.positiveScreen, c.status,
                    c.arrivedAt, c.flaggedAt, holder, holder == null ? null : c.claimExpiresAt,
                    "/api/v1/review/cases/" + c.imageId + "/image");
        }
    }

    public record WorklistPage(int page, int size, long total, List<CaseItem> items) {
    }

    public record ReviewView(String reviewer, String label, String comment, String modelVersion, String modelLabel,
            Instant reviewedAt) {
        static ReviewView of(Review r) {
            return new ReviewView(r.reviewer, r.label, r.comment, r.modelVersion, r.modelLabel, r.reviewedAt);
        }
    }

    public record CaseView(CaseItem item, ResultViews.ImageView image, List<ReviewView> reviews) {
    }

    /** The body of a review: a label ({@code COVID19}, {@code NORMAL}, {@code PNEUMONIA}) and an optional comment. */
    public record ReviewRequest(String label, String comment) {
    }

    private final ReviewService reviews;
    private final ResultStore results;

    public ReviewResource(ReviewService reviews, ResultStore results) {
        this.reviews = reviews;
        this.results = results;
    }

    @GET
    @Path("/worklist")
    @RolesAllowed({Roles.RADIOLOGIST, Roles.AUDITOR})
    @Operation(summary = "Flagged, unreviewed cases: positive COVID-19 screens first, then the least confident")
    public WorklistPage worklist(@QueryParam("reason") String reason, @QueryParam("label") String label,
            @QueryParam("modelVersion") String modelVersion, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("20") int size) {
        ResultResource.checkPaging(page, size);
        FlagReason wantedReason = null;
        if (reason != null && !reason.isBlank()) {
            try {
                wantedReason = FlagReason.valueOf(reason.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ReviewException(400, "bad_reason", "unknown reason '" + reason + "'; known: "
                        + java.util.Arrays.toString(FlagReason.values()));
            }
        }
        ReviewService.Page found = reviews.worklist(new ReviewService.Filter(wantedReason, label(label, false),
                blankToNull(modelVersion), instant(from, "from"), instant(to, "to")), page, size);
        return new WorklistPage(page, size, found.total(), found.items().stream().map(CaseItem::of).toList());
    }

    @GET
    @Path("/cases/{imageId}")
    @RolesAllowed({Roles.RADIOLOGIST, Roles.AUDITOR})
    @Operation(summary = "A case: metadata, probabilities, model version, reasons, reviews, a link to its image")
    public CaseView openCase(@PathParam("imageId") String imageId, @Context SecurityContext security) {
        ReviewCase c = reviews.open(imageId, user(security));
        return new CaseView(CaseItem.of(c), ResultViews.ImageView.of(results.image(imageId).orElse(null)),
                reviews.reviews(imageId).stream().map(ReviewView::of).toList());
    }

    @GET
    @Path("/cases/{imageId}/image")
    @Produces("image/png")
    @RolesAllowed({Roles.RADIOLOGIST, Roles.AUDITOR})
    @Operation(summary = "The case's canonical image (PNG)")
    public Response image(@PathParam("imageId") String imageId, @Context SecurityContext security) {
        return reviews.png(imageId, user(security)).map(png -> Response.ok(png, "image/png").build())
                .orElseThrow(() -> new ReviewException(404, "image_not_found", "no image stored for '" + imageId
                        + "'"));
    }

    @POST
    @Path("/cases/{imageId}/claim")
    @RolesAllowed(Roles.RADIOLOGIST)
    @Operation(summary = "Claim a case so no other reader takes it; the claim expires")
    public CaseItem claim(@PathParam("imageId") String imageId, @Context SecurityContext security) {
        return CaseItem.of(reviews.claim(imageId, user(security)));
    }

    @DELETE
    @Path("/cases/{imageId}/claim")
    @RolesAllowed(Roles.RADIOLOGIST)
    @Operation(summary = "Release one's own claim")
    public CaseItem release(@PathParam("imageId") String imageId, @Context SecurityContext security) {
        return CaseItem.of(reviews.release(imageId, user(security)));
    }

    @POST
    @Path("/cases/{imageId}/reviews")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.RADIOLOGIST)
    @Operation(summary = "Review a case: its label (published as LabelAssigned) and an optional comment")
    public Response review(@PathParam("imageId") String imageId, ReviewRequest request,
            @Context SecurityContext security) {
        if (request == null || request.label() == null) {
            throw new ReviewException(400, "bad_review", "the body must be {\"label\": \"COVID19|NORMAL|PNEUMONIA\", "
                    + "\"comment\": \"optional\"}");
        }
        Review review = reviews.review(imageId, user(security), label(request.label(), true), request.comment());
        return Response.status(201).entity(ReviewView.of(review)).build();
    }

    @GET
    @Path("/statistics")
    @RolesAllowed({Roles.RADIOLOGIST, Roles.AUDITOR, Roles.ADMIN})
    @Operation(summary = "Counts by predicted and reviewed label, agreement per model version, turnaround")
    public ReviewService.Statistics statistics() {
        return reviews.statistics();
    }

    @GET
    @Path("/disagreements")
    @RolesAllowed({Roles.RADIOLOGIST, Roles.AUDITOR, Roles.ADMIN})
    @Operation(summary = "Per model version: reviews, disagreements and the model-vs-reader confusion matrix")
    public List<ReviewService.VersionAgreement> disagreements() {
        return reviews.agreement();
    }

    static String user(SecurityContext security) {
        return security.getUserPrincipal().getName();
    }

    private static ScreeningClass label(String label, boolean required) {
        if (label == null || label.isBlank()) {
            if (required) {
                throw new ReviewException(400, "bad_label", "a label is required: COVID19, NORMAL or PNEUMONIA");
            }
            return null;
        }
        try {
            return ScreeningClass.parse(label);
        } catch (IllegalArgumentException e) {
            throw new ReviewException(400, "bad_label", e.getMessage());
        }
    }

    private static Instant instant(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ReviewException(400, "bad_date", name + " must be an ISO-8601 instant such as "
                    + "2026-11-23T08:00:00Z, got '" + value + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
