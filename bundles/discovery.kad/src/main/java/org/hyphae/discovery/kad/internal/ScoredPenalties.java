package org.hyphae.discovery.kad.internal;

import java.util.function.Supplier;

import org.hyphae.discovery.PeerStore;
import org.hyphae.identity.PeerId;

/**
 * DHT penalties that also count against the peer's score in the node's {@link PeerStore}, so a peer
 * that breaks the DHT protocol is dialled less by the connection manager and evicted first, not only
 * kept out of this routing table for a while. Without a peer store only the local exclusion applies.
 */
public final class ScoredPenalties implements PeerPenalty {

    /** Points a DHT offence costs in the peer store (the dialer skips peers below -50 by default). */
    public static final double POINTS = 10;

    private final PeerPenalty local;
    private final Supplier<PeerStore> peerStore;

    /**
     * @param local who is kept out of the routing table, and for how long
     * @param peerStore the node's peer store now, or a supplier of {@code null} if none runs
     */
    public ScoredPenalties(PeerPenalty local, Supplier<PeerStore> peerStore) {
        this.local = local;
        this.peerStore = peerStore;
    }

    @Override
    public void penalize(PeerId peer, String reason) {
        local.penalize(peer, reason);
        PeerStore store = peerStore.get();
        if (store != null) {
            store.penalize(peer, POINTS, "kad: " + reason);
        }
    }

    @Override
    public boolean excluded(PeerId peer) {
        return local.excluded(peer);
    }
}
