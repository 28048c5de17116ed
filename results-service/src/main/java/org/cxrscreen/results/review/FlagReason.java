package org.cxrscreen.results.review;

/** Why a case is on the worklist. */
public enum FlagReason {
    /** The top probability is below the confidence threshold. */
    LOW_CONFIDENCE,
    /** Labelled COVID-19 at the model's operating threshold: a positive screen needs a human. */
    POSITIVE_SCREEN,
    /** The ensemble's members disagree. */
    MEMBERS_DISAGREE,
    /** A later model version disagrees with an earlier one on the same image. */
    VERSIONS_DISAGREE
}
