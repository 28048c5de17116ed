package org.cxrscreen.training.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
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
import java.net.URI;
import java.util.List;
import org.cxrscreen.training.loop.RunRequest;
import org.cxrscreen.training.loop.RunView;
import org.cxrscreen.training.loop.Runs;
import org.cxrscreen.training.persistence.TrainingRun;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Training runs: the record of each, a running job's progress, and starting one by hand ({@code admin}). */
@Path("/api/v1/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    private final Runs runs;

    public RunResource(Runs runs) {
        this.runs = runs;
    }

    @GET
    @Operation(summary = "The runs, latest first: kind, status, data counts, both models' figures, decision, reasons")
    public List<RunView> list(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw ApiError.of(400, "bad_limit", "limit must be between 1 and 500, was " + limit);
        }
        return runs.list(limit);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One run; while it runs, its progress (phase, epoch, loss, seconds left)")
    public RunView get(@PathParam("id") long id) {
        return runs.view(id).orElseThrow(() -> ApiError.of(404, "run_not_found", "no run " + id));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Start a fine-tuning run now; the body may override the configured training options")
    public Response start(RunRequest request, @Context SecurityContext security) {
        TrainingRun run;
        try {
            run = runs.request(TrainingRun.Kind.MANUAL, security.getUserPrincipal().getName(),
                    request == null ? RunRequest.NONE : request);
        } catch (Runs.Busy e) {
            throw ApiError.of(409, "run_in_progress", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiError.of(400, "bad_options", e.getMessage() + "; accepted: epochs, batchSize, optimizer "
                    + "(adam|sgd), learningRate, patience, loss (ce|weighted-ce|focal), focalGamma, oversample, "
                    + "augment (rotate,flip,brightness-contrast), seed, targetRecall, shuffleLabels, reason");
        }
        return Response.accepted(runs.view(run.id).orElseThrow()).location(URI.create("/api/v1/runs/" + run.id))
                .build();
    }
}
