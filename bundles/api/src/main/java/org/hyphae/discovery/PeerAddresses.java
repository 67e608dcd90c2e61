package org.hyphae.discovery;

import java.util.List;
import java.util.Objects;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;

/**
 * A peer and the addresses it can be reached on, as a routing system found them.
 *
 * @param peer the peer
 * @param addresses where it can be dialled, without {@code /p2p}; may be empty when only the id is
 *     known
 */
public record PeerAddresses(PeerId peer, List<Multiaddr> addresses) {

    /**
     * Checks and copies the parts.
     *
     * @throws NullPointerException if either part is null
     */
    public PeerAddresses {
        Objects.requireNonNull(peer, "peer");
        addresses = List.copyOf(addresses);
    }
}
