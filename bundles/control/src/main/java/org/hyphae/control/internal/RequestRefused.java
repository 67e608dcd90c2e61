package org.hyphae.control.internal;

/** A request the control API refuses: the HTTP status and the reason sent back as {@code {"error": ...}}. */
final class RequestRefused extends Exception {

    private static final long serialVersionUID = 1L;
    private final int status;

    RequestRefused(int status, String reason) {
        super(reason);
        this.status = status;
    }

    int status() {
        return status;
    }
}
