package org.cxrscreen.dicom;

/** A DICOM object or message the system will not process, with a reason a caller can map to a status. */
public class DicomException extends RuntimeException {

    /** Why. */
    public enum Reason {
        /** Not DICOM at all. */
        NOT_DICOM,
        /** Shorter than its lengths say, or a length that points past the end. */
        TRUNCATED,
        /** Structurally wrong beyond truncation. */
        MALFORMED,
        /** A transfer syntax the decoder does not handle. */
        UNSUPPORTED_TRANSFER_SYNTAX,
        /** A photometric interpretation or pixel layout the decoder does not handle. */
        UNSUPPORTED_PIXELS,
        /** No pixel data. */
        NO_PIXEL_DATA,
        /** Beyond the size limits. */
        TOO_LARGE,
        /** Decodable but not a frontal chest radiograph, or otherwise not to be screened. */
        NOT_ELIGIBLE
    }

    private final Reason reason;

    public DicomException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DicomException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
