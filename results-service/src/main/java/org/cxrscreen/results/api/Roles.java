package org.cxrscreen.results.api;

/** The roles of the results service's bearer tokens ({@code groups} claim). */
public final class Roles {

    /** Reads cases and results, reviews cases. */
    public static final String RADIOLOGIST = "radiologist";
    /** Reads cases, results, statistics and the audit log. */
    public static final String AUDITOR = "auditor";
    /** Changes configuration; reads statistics and the audit log. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
