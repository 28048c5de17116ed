package org.cxrscreen.results.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Instant;
import java.util.List;
import org.cxrscreen.results.review.FlaggingPolicy;
import org.cxrscreen.results.review.ReviewException;
import org.cxrscreen.results.review.ReviewService;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Configuration ({@code admin}) and the audit log ({@code auditor}, {@code admin}). */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    /** The flagging settings an admin may change. */
    public record FlaggingSettings(Double confidenceThreshold) {
    }

    public record AuditView(Instant at, String actor, String action, String target, String detail) {
    }

    private final ReviewService reviews;

    public AdminResource(ReviewService reviews) {
        this.reviews = reviews;
    }

    @GET
    @Path("/admin/flagging")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "The flagging settings in force")
    public FlaggingSettings flagging() {
        return new FlaggingSettings(reviews.policy().confidenceThreshold());
    }

    @PUT
    @Path("/admin/flagging")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Change the confidence threshold below which cases are flagged (applies to new predictions)")
    public FlaggingSettings setFlagging(FlaggingSettings settings, @Context SecurityContext security) {
        String accepted = "the body must be {\"confidenceThreshold\": x} with x between 0 and 1";
        if (settings == null || settings.confidenceThreshold() == null) {
            throw new ReviewException(400, "bad_settings", accepted);
        }
        FlaggingPolicy policy;
        try {
            policy = new FlaggingPolicy(settings.confidenceThreshold());
        } catch (IllegalArgumentException e) {
            // the policy's own range check
            throw new ReviewException(400, "bad_settings", accepted);
        }
        return new FlaggingSettings(reviews.setPolicy(policy, ReviewResource.user(security)).confidenceThreshold());
    }

    @GET
    @Path("/audit")
    @RolesAllowed({Roles.AUDITOR, Roles.ADMIN})
    @Operation(summary = "The audit log, newest first: who opened, claimed, released and reviewed which case")
    public List<AuditView> audit(@QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("50") int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw new ReviewException(400, "bad_paging", "page must be 0 or more and size between 1 and 500");
        }
        return reviews.audit(page, size).stream().map(a -> new AuditView(a.at, a.actor, a.action, a.target,
                a.detail)).toList();
    }
}
