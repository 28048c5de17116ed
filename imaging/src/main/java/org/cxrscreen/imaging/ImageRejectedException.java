package org.cxrscreen.imaging;

/** An input the system will not process, with a reason a caller can map to a response. */
public class ImageRejectedException extends RuntimeException {

    /** Why an image was refused. */
    public enum Reason {
        /** No bytes at all. */
        EMPTY,
        /** Not a format the system reads. */
        UNSUPPORTED_FORMAT,
        /** A supported format whose contents cannot be decoded: corrupt or truncated. */
        CORRUPT,
        /** More encoded bytes than allowed. */
        TOO_LARGE,
        /** Pixel dimensions beyond the limits (a decompression bomb among others). */
        TOO_MANY_PIXELS,
        /** A readable image of a kind that cannot be turned into grayscale (CMYK, for one). */
        UNSUPPORTED_PIXELS
    }

    private final Reason reason;

    public ImageRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
