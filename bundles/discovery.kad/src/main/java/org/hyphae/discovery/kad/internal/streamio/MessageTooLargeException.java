package org.hyphae.discovery.kad.internal.streamio;

import java.io.IOException;

/** A length-prefixed message announced a length above the limit; it was not read. */
public final class MessageTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long length;
    private final int limit;

    public MessageTooLargeException(String context, long length, int limit) {
        super(context + ": message of " + (length < 0 ? "more than " + limit : String.valueOf(length))
                + " bytes exceeds the limit of " + limit + " bytes");
        this.length = length;
        this.limit = limit;
    }

    /** The announced length, or -1 if it was not read in full (it was already over the limit). */
    public long length() {
        return length;
    }

    /** The limit it broke. */
    public int limit() {
        return limit;
    }
}
