package org.cxrscreen.results.review;

/** A request the review workflow refuses: an HTTP status, a stable code and what was wrong. */
public class ReviewException extends RuntimeException {

    private final int status;
    private final String code;

    public ReviewException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
