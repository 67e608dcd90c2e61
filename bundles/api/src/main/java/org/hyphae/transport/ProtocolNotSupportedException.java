package org.hyphae.transport;

import java.io.IOException;
import java.util.List;

/** The peer supports none of the protocols offered for a stream. */
public final class ProtocolNotSupportedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final List<String> protocols;

    public ProtocolNotSupportedException(String peer, List<String> protocols) {
        super("peer " + peer + " supports none of " + protocols);
        this.protocols = List.copyOf(protocols);
    }

    /** The protocols that were offered. */
    public List<String> protocols() {
        return protocols;
    }
}
