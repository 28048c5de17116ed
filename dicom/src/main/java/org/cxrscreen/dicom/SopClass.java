package org.cxrscreen.dicom;

import java.util.List;

/** The storage SOP classes the ingest accepts, and Verification. */
public enum SopClass {
    COMPUTED_RADIOGRAPHY("1.2.840.10008.5.1.4.1.1.1", "Computed Radiography Image Storage"),
    DIGITAL_XRAY_FOR_PRESENTATION("1.2.840.10008.5.1.4.1.1.1.1", "Digital X-Ray Image Storage - For Presentation"),
    DIGITAL_XRAY_FOR_PROCESSING("1.2.840.10008.5.1.4.1.1.1.1.1", "Digital X-Ray Image Storage - For Processing"),
    SECONDARY_CAPTURE("1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage");

    /** The Verification SOP class (C-ECHO). */
    public static final String VERIFICATION = "1.2.840.10008.1.1";

    private final String uid;
    private final String title;

    SopClass(String uid, String title) {
        this.uid = uid;
        this.title = title;
    }

    public String uid() {
        return uid;
    }

    public String title() {
        return title;
    }

    public static SopClass of(String uid) {
        for (SopClass c : values()) {
            if (c.uid.equals(uid)) {
                return c;
            }
        }
        return null;
    }

    public static List<String> uids() {
        return java.util.Arrays.stream(values()).map(SopClass::uid).toList();
    }
}
