package org.cxrscreen.ingest.api;

/**
 * The body of every error answer.
 *
 * @param error a stable code ({@code empty_image}, {@code unsupported_format}, ...)
 * @param message what was wrong and what is accepted
 */
public record ApiError(String error, String message) {
}
