package org.cxrscreen.training.api;

/** The role of the training service's bearer tokens ({@code groups} claim) that may change things. */
public final class Roles {

    /** Starts runs, promotes and rolls back versions, imports labelled folders. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
