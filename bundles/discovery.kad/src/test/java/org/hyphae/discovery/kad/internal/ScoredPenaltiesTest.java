package org.hyphae.discovery.kad.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.hyphae.discovery.PeerStore;
import org.hyphae.discovery.peerstore.internal.PeerStoreConfig;
import org.hyphae.discovery.peerstore.internal.PeerStoreService;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.testkit.ComponentConfigs;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DHT offences reach the node's peer store (the real one) as score, besides the local exclusion. */
class ScoredPenaltiesTest {

    private final MemoryNetwork network = new MemoryNetwork();
    private PeerStoreService store;

    @AfterEach
    void close() {
        if (store != null) {
            store.deactivate();
        }
        network.close();
    }

    @Test
    void anOffenceLowersThePeersScoreAndKeepsItOutOfTheTable() throws Exception {
        store = new PeerStoreService(network.node(), ComponentConfigs.of(PeerStoreConfig.class, Map.of()));
        AtomicReference<PeerStore> bound = new AtomicReference<>(store);
        AtomicLong clock = new AtomicLong(1_000);
        ScoredPenalties penalties = new ScoredPenalties(new LocalPenalties(100, clock::get), bound::get);
        PeerId liar = TestIdentity.random().peerId();

        penalties.penalize(liar, "answered FIND_NODE with 5,000 addresses");
        assertTrue(penalties.excluded(liar));
        assertEquals(-ScoredPenalties.POINTS, store.get(liar).orElseThrow().score(), 0.5,
                "the peer store knows the offender now, with its score lowered");
        penalties.penalize(liar, "sent garbage");
        assertTrue(store.get(liar).orElseThrow().score() < -ScoredPenalties.POINTS - 5, "offences add up");

        // Without a peer store (it went away) the DHT still keeps the peer out.
        bound.set(null);
        PeerId other = TestIdentity.random().peerId();
        penalties.penalize(other, "sent garbage");
        assertTrue(penalties.excluded(other));
        assertTrue(store.get(other).isEmpty());
    }
}
