package org.hyphae.pubsub;

/** A {@link TopicValidator}'s verdict on a message (gossipsub v1.1 "extended validators"). */
public enum ValidationResult {
    /** Valid: deliver it to local subscribers and forward it. */
    ACCEPT,
    /** Invalid: drop it and penalise the peer that sent it (gossipsub's P4 score). */
    REJECT,
    /**
     * Neither: drop it without delivering or forwarding, but do not penalise the sender (for
     * example a duplicate at the application level, or a node still syncing that cannot judge).
     */
    IGNORE
}
