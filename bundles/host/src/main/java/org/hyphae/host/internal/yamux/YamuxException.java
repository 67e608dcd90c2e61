package org.hyphae.host.internal.yamux;

import java.io.IOException;

/** A yamux session or stream ended abnormally: a protocol violation, a reset, or the connection closing. */
public final class YamuxException extends IOException {
    private static final long serialVersionUID = 1L;

    public YamuxException(String message) {
        super(message);
    }
}
