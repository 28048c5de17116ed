package org.cxrscreen.results.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.cxrscreen.results.api.ResultViews.ApiError;
import org.cxrscreen.results.review.ReviewException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Refusals of the review workflow and malformed JSON bodies as {@code {"error", "message"}}. */
public class ReviewErrorMapper {

    @ServerExceptionMapper
    public Response refused(ReviewException e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(new ApiError(e.code(),
                e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        return Response.status(400).type(MediaType.APPLICATION_JSON).entity(new ApiError("malformed_json",
                "the body is not the JSON expected: " + e.getOriginalMessage())).build();
    }

    /**
     * Quarkus REST's JSON reader wraps a body that does not parse in a bare 400; it gets the same JSON
     * error as above. Every other web exception keeps its own response.
     */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        return e.getCause() instanceof JsonProcessingException json ? malformed(json) : e.getResponse();
    }
}
