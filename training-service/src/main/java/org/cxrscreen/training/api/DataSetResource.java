package org.cxrscreen.training.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.cxrscreen.training.config.TrainingConfig;
import org.cxrscreen.training.dataset.DataSet;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The labelled data set: its figures, and importing a labelled folder as base set ({@code admin}). */
@Path("/api/v1/dataset")
@Produces(MediaType.APPLICATION_JSON)
public class DataSetResource {

    /** A folder on the service's file system, in the CLI's layout. */
    public record ImportRequest(String folder, Integer limitPerClass, Long splitSeed) {
    }

    private final DataSet dataSet;
    private final TrainingConfig config;

    public DataSetResource(DataSet dataSet, TrainingConfig config) {
        this.dataSet = dataSet;
        this.config = config;
    }

    @GET
    @Operation(summary = "Images by origin, part and class; labels awaiting their image; the latest label number")
    public DataSet.Summary summary() {
        return dataSet.summary();
    }

    @POST
    @Path("/import")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Import a labelled folder as base set: copied in, split by patient into train, validation and the frozen test part")
    public DataSet.ImportResult importFolder(ImportRequest request) {
        String accepted = "the body must be {\"folder\": \"/path/on/the/service\", \"limitPerClass\": n (optional), "
                + "\"splitSeed\": n (optional)} naming a folder with manifest.csv or COVID19/NORMAL/PNEUMONIA subfolders";
        if (request == null || request.folder() == null || request.folder().isBlank()) {
            throw ApiError.of(400, "bad_import", accepted);
        }
        java.nio.file.Path folder = java.nio.file.Path.of(request.folder());
        if (!Files.isDirectory(folder)) {
            throw ApiError.of(400, "bad_import", "no folder " + folder + " on the training service; " + accepted);
        }
        if (request.limitPerClass() != null && request.limitPerClass() < 0) {
            throw ApiError.of(400, "bad_import", "limitPerClass must be 0 (all) or more; " + accepted);
        }
        try {
            return dataSet.importFolder(folder, request.limitPerClass() == null ? 0 : request.limitPerClass(),
                    request.splitSeed() == null ? config.bootstrap().splitSeed() : request.splitSeed());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw ApiError.of(400, "bad_import", e.getMessage() + "; " + accepted);
        }
    }
}
