package org.hyphae.discovery.dialer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.hyphae.discovery.PeerStore;
import org.hyphae.discovery.peerstore.internal.PeerStoreConfig;
import org.hyphae.discovery.peerstore.internal.PeerStoreService;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.hyphae.transport.testkit.ComponentConfigs;

/** The dialer with the real peer store: dials up to the target, best first, backs off and prunes failing addresses. */
class TargetDegreeDialerTest {

    private final MemoryNetwork network = new MemoryNetwork();
    private final List<TargetDegreeDialer> dialers = new ArrayList<>();

    @AfterEach
    void close() {
        dialers.forEach(TargetDegreeDialer::deactivate);
        network.close();
    }

    private TargetDegreeDialer dialer(MemoryNode host, PeerStore store, Map<String, Object> config) {
        TargetDegreeDialer d = new TargetDegreeDialer(host, store,
                ComponentConfigs.of(DialerConfig.class, new java.util.HashMap<>(Map.<String, Object>of("intervalSeconds", 3600)) {
                    {
                        putAll(config);
                    }
                }));
        dialers.add(d);
        return d;
    }

    private static PeerStore store(MemoryNode host) {
        return new PeerStoreService(host, ComponentConfigs.of(PeerStoreConfig.class, Map.of("pollSeconds", 3600)));
    }

    private static int connectedPeers(MemoryNode n) {
        return (int) n.connections().stream().map(c -> c.remotePeer()).distinct().count();
    }

    @Test
    void dialsUpToTheTargetBestPeersFirst() throws Exception {
        MemoryNode a = network.node();
        PeerStore store = store(a);
        List<MemoryNode> good = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            MemoryNode b = network.node();
            good.add(b);
            store.addAddresses(b.localPeer(), b.listenAddresses(), "kad", Duration.ofHours(1));
            store.recordLatency(b.localPeer(), Duration.ofMillis(10 + i));
        }
        MemoryNode penalized = network.node();
        store.addAddresses(penalized.localPeer(), penalized.listenAddresses(), "kad", Duration.ofHours(1));
        store.penalize(penalized.localPeer(), 100, "test: misbehaved");
        PeerId unreachable = TestIdentity.random().peerId();
        store.addAddresses(unreachable, List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/1")), "kad", Duration.ofHours(1));

        TargetDegreeDialer d = dialer(a, store, Map.of("low", 3, "target", 4));
        assertEquals(4, d.roundNow().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(4, connectedPeers(a));
        // Lowest latency first: the fifth good peer (slowest) is left out, as are the penalized and unreachable ones.
        assertTrue(a.connections(good.get(4).localPeer()).isEmpty());
        assertTrue(a.connections(penalized.localPeer()).isEmpty());
        // At or above low, nothing more is dialled.
        assertEquals(0, d.roundNow().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(4, d.counters()[0]);
    }

    @Test
    void failingAddressesBackOffAndAreRemoved() throws Exception {
        MemoryNode a = network.node();
        PeerStore store = store(a);
        PeerId unreachable = TestIdentity.random().peerId();
        Multiaddr dead = Multiaddr.parse("/ip4/127.0.0.1/tcp/1");
        store.addAddresses(unreachable, List.of(dead), "mdns", Duration.ofHours(1));
        TargetDegreeDialer d = dialer(a, store, Map.of("low", 1, "target", 1, "backoffSeconds", 1, "maxAddressFailures", 2));
        assertEquals(0, d.roundNow().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertEquals(1, d.counters()[1]);
        d.roundNow().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, d.counters()[0], "the address waits out its backoff");
        Thread.sleep(1200);
        d.roundNow().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(2, d.counters()[1]);
        assertEquals(1, d.counters()[2]);
        assertTrue(store.get(unreachable).orElseThrow().addresses().isEmpty(), "the failing address left the store");
    }

    @Test
    void aPeerThatJustDisconnectedIsLeftAloneForTheGrace() throws Exception {
        MemoryNode a = network.node();
        MemoryNode b = network.node();
        PeerStore store = store(a);
        store.addAddresses(b.localPeer(), b.listenAddresses(), "kad", Duration.ofHours(1));
        TargetDegreeDialer d = dialer(a, store, Map.of("low", 2, "target", 2, "reconnectGraceSeconds", 2));
        network.connect(a, b);
        d.roundNow().toCompletableFuture().get(10, TimeUnit.SECONDS);
        a.connections(b.localPeer()).forEach(c -> c.close());
        assertEquals(0, connectedPeers(a));
        assertEquals(0, d.roundNow().toCompletableFuture().get(10, TimeUnit.SECONDS), "within the grace");
        Thread.sleep(2100);
        assertEquals(1, d.roundNow().toCompletableFuture().get(10, TimeUnit.SECONDS), "after the grace");
    }
}
