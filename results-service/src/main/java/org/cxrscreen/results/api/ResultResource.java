package org.cxrscreen.results.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.cxrscreen.contracts.ScreeningClass;
import org.cxrscreen.results.api.ResultViews.ApiError;
import org.cxrscreen.results.api.ResultViews.ImageView;
import org.cxrscreen.results.api.ResultViews.PageView;
import org.cxrscreen.results.api.ResultViews.PredictionView;
import org.cxrscreen.results.api.ResultViews.ResultItem;
import org.cxrscreen.results.api.ResultViews.ResultView;
import org.cxrscreen.results.persistence.ImageEntity;
import org.cxrscreen.results.persistence.PredictionEntity;
import org.cxrscreen.results.persistence.ResultStore;
import org.cxrscreen.results.review.ReviewException;

/**
 * {@code GET /api/v1/results/{imageId}}: an image's metadata and predictions.
 * {@code GET /api/v1/results?page=&size=&label=}: predictions, newest first, a page at a time.
 */
@Path("/api/v1/results")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.RADIOLOGIST, Roles.AUDITOR, Roles.ADMIN})
public class ResultResource {

    static final int MAX_PAGE_SIZE = 200;

    private final ResultStore store;

    public ResultResource(ResultStore store) {
        this.store = store;
    }

    @GET
    @Path("/{imageId}")
    public Response result(@PathParam("imageId") String imageId) {
        ImageEntity image = store.image(imageId).orElse(null);
        List<PredictionView> predictions = store.predictions(imageId).stream().map(PredictionView::of).toList();
        if (image == null && predictions.isEmpty()) {
            return error(404, "result_not_found", "no image or prediction with id '" + imageId
                    + "': it was never accepted, or is still being processed");
        }
        return Response.ok(new ResultView(imageId, ImageView.of(image),
                predictions.isEmpty() ? null : predictions.get(0), predictions)).build();
    }

    @GET
    public Response list(@QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("20") int size, @QueryParam("label") String label) {
        checkPaging(page, size);
        ScreeningClass wanted = null;
        if (label != null && !label.isBlank()) {
            try {
                wanted = ScreeningClass.parse(label);
            } catch (IllegalArgumentException e) {
                return error(400, "bad_label", e.getMessage());
            }
        }
        ResultStore.Page found = store.page(page, size, wanted);
        Map<String, ImageEntity> images = store.images(found.items().stream().map(p -> p.imageId).distinct().toList())
                .stream().collect(Collectors.toMap(i -> i.imageId, Function.identity()));
        List<ResultItem> items = found.items().stream()
                .map((PredictionEntity p) -> new ResultItem(p.imageId, PredictionView.of(p),
                        ImageView.of(images.get(p.imageId))))
                .toList();
        return Response.ok(new PageView(page, size, found.total(), items)).build();
    }

    /** Refuses a page out of range with {@code 400 bad_paging}, saying what is accepted. */
    static void checkPaging(int page, int size) {
        if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
            throw new ReviewException(400, "bad_paging", "page must be 0 or more and size between 1 and "
                    + MAX_PAGE_SIZE + ", got page=" + page + " size=" + size);
        }
    }

    private static Response error(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(code, message)).build();
    }
}
