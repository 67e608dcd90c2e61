package org.hyphae.ledger;

import java.util.Objects;

import org.hyphae.identity.PeerId;

/**
 * What a peer that serves this chain's sync protocol last reported of its head.
 *
 * @param peer the peer
 * @param height its head's height
 * @param head its head's hash
 * @param inSync whether this node has that block (the peer is not ahead of this node)
 */
public record PeerHead(PeerId peer, long height, Hash head, boolean inSync) {

    /** Checks the fields. */
    public PeerHead {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(head, "head");
    }
}
