package org.hyphae.host.internal.upgrade;

import java.util.Set;

import org.hyphae.transport.Stream;

/** Where a connection's inbound streams go; implemented by the swarm. */
public interface InboundStreams {

    /** The protocols this node serves now; read once at the start of each inbound negotiation. */
    Set<String> protocols();

    /**
     * A negotiated inbound stream, routed by {@link Stream#protocol()}. Called on a callback
     * thread, never the event loop; the receiver owns the stream (it must close or reset it).
     */
    void accept(Stream stream);
}
