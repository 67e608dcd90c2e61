package org.hyphae.node;

/** Where an implementation stands. */
public enum ImplementationState {
    /** Registered as a service and used by at least one other bundle. */
    ACTIVE,
    /** Registered as a service (or ready to be) but nobody uses it: installed but idle. */
    IDLE,
    /** Installed, but its component cannot run: a reference is unsatisfied or activation failed. */
    UNAVAILABLE,
    /** Installed, but its component is disabled. */
    DISABLED
}
