package org.hyphae.transport;

import java.util.List;

import org.hyphae.identity.PeerId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The swarm: this node's connections to other peers, upgraded (security, multiplexing) and routed
 * to protocol handlers.
 *
 * <p>First draft: the transport issue adds connecting, streams and connection events.
 */
@ProviderType
public interface Host {

    /** This node's peer id. */
    PeerId localPeer();

    /** The addresses peers can reach this node on, across all transports, without {@code /p2p}. */
    List<Multiaddr> listenAddresses();
}
