package org.hyphae.discovery.kad.internal.streamio;

import java.io.IOException;

/** The peer sent bytes that do not follow the protocol's framing or message format. */
public final class MalformedMessageException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
