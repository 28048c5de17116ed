package org.cxrscreen.dicom;

import java.util.Map;

/** Transfer syntaxes by UID: the three the decoder handles, and the names of others for refusals. */
public enum TransferSyntax {
    IMPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false),
    EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false),
    JPEG_BASELINE("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, true);

    private static final Map<String, String> OTHERS = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2.2", "Explicit VR Big Endian"),
            Map.entry("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
            Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
            Map.entry("1.2.840.10008.1.2.4.70", "JPEG Lossless, First-Order Prediction"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000"),
            Map.entry("1.2.840.10008.1.2.5", "RLE Lossless"),
            Map.entry("1.2.840.10008.1.2.4.201", "HTJ2K (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.203", "HTJ2K"));

    private final String uid;
    private final String title;
    private final boolean explicitVr;
    private final boolean encapsulated;

    TransferSyntax(String uid, String title, boolean explicitVr, boolean encapsulated) {
        this.uid = uid;
        this.title = title;
        this.explicitVr = explicitVr;
        this.encapsulated = encapsulated;
    }

    public String uid() {
        return uid;
    }

    public boolean explicitVr() {
        return explicitVr;
    }

    public boolean encapsulated() {
        return encapsulated;
    }

    public String title() {
        return title;
    }

    /** The supported syntax with this UID, or null. */
    public static TransferSyntax of(String uid) {
        for (TransferSyntax ts : values()) {
            if (ts.uid.equals(uid)) {
                return ts;
            }
        }
        return null;
    }

    /**
     * The supported syntax with this UID.
     *
     * @throws DicomException naming the syntax and what is accepted
     */
    public static TransferSyntax require(String uid) {
        TransferSyntax ts = of(uid);
        if (ts == null) {
            throw new DicomException(DicomException.Reason.UNSUPPORTED_TRANSFER_SYNTAX, "transfer syntax " + name(uid)
                    + " is not supported; accepted: Implicit VR Little Endian, Explicit VR Little Endian, "
                    + "JPEG Baseline (Process 1)");
        }
        return ts;
    }

    /** A UID's name and the UID, e.g. {@code JPEG 2000 (1.2.840.10008.1.2.4.91)}. */
    public static String name(String uid) {
        TransferSyntax ts = of(uid);
        String title = ts != null ? ts.title : OTHERS.get(uid);
        return title == null ? uid : title + " (" + uid + ")";
    }
}
