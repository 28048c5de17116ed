package org.cxrscreen.training.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** An error body: a stable code and a sentence saying what was wrong and what is accepted. */
public record ApiError(String error, String message) {

    /** The exception that answers {@code status} with this body. */
    public static WebApplicationException of(int status, String error, String message) {
        return new WebApplicationException(message, Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(error, message)).build());
    }
}
