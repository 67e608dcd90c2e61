package org.hyphae.discovery.kad.internal;

import org.hyphae.identity.PeerId;

/**
 * Where the DHT reports a peer that broke the protocol (garbage, oversized or invalid messages,
 * records that fail validation, answers that try to flood the routing table). The DHT itself drops
 * such a peer from its routing table and asks here whether to keep it out. In a node,
 * {@link ScoredPenalties} also lowers the peer's score in the peer store.
 */
public interface PeerPenalty {

    /** Scores {@code peer} down for {@code reason} (which says what it sent and where). */
    void penalize(PeerId peer, String reason);

    /** Whether {@code peer} is to be kept out of the routing table and lookups for now. */
    boolean excluded(PeerId peer);
}
