package org.hyphae.discovery.kad.internal;

import java.io.IOException;

/**
 * A message that breaks the kad-dht protocol (as opposed to a network failure): the peer that sent
 * it is penalized, not merely marked as failed.
 */
final class KadProtocolViolation extends IOException {

    private static final long serialVersionUID = 1L;

    KadProtocolViolation(String message) {
        super(message);
    }

    KadProtocolViolation(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether {@code error} (unwrapped) is the peer's fault: malformed, oversized or violating. */
    static boolean isPeersFault(Throwable error) {
        return error instanceof KadProtocolViolation
                || error instanceof org.hyphae.transport.streamio.MalformedMessageException
                || error instanceof org.hyphae.transport.streamio.MessageTooLargeException;
    }
}
