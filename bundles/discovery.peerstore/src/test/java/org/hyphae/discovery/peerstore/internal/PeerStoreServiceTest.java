package org.hyphae.discovery.peerstore.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.discovery.PeerDiscovery;
import org.hyphae.discovery.PeerRecord;
import org.hyphae.discovery.PeerStore;
import org.hyphae.identity.PeerId;
import org.hyphae.storage.fs.MvStoreDatastore;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.hyphae.transport.testkit.ComponentConfigs;

/** The service: fed by sources and the host, persisted in a real on-disk datastore, bounded against floods. */
class PeerStoreServiceTest {

    private final MemoryNetwork network = new MemoryNetwork().simulateIdentify(true);
    private final List<PeerStoreService> services = new ArrayList<>();

    @AfterEach
    void close() {
        services.forEach(PeerStoreService::deactivate);
        network.close();
    }

    private PeerStoreService service(MemoryNode host, Map<String, Object> config) {
        PeerStoreService s = new PeerStoreService(host, ComponentConfigs.of(PeerStoreConfig.class, config));
        services.add(s);
        return s;
    }

    @Test
    void isFedByTheHostAndEverySource() throws Exception {
        MemoryNode a = network.node();
        MemoryNode b = network.node().handle("/ipfs/ping/1.0.0", s -> s.reset());
        MemoryNode c = network.node();
        network.connect(a, b);
        network.connect(c, a);
        PeerId d = TestIdentity.random().peerId();
        PeerStoreService store = service(a, Map.of());
        PeerDiscovery mdns = () -> List.of(new PeerAddresses(d, List.of(Multiaddr.parse("/ip4/192.168.1.7/tcp/4001"))));
        store.bindSource(mdns, Map.of(PeerDiscovery.SOURCE_PROPERTY, "mdns"));
        store.pollNow();

        PeerRecord rb = store.get(b.localPeer()).orElseThrow();
        assertEquals(Set.of(PeerStore.SOURCE_CONNECTION, PeerStore.SOURCE_IDENTIFY),
                rb.addresses().get(0).sources(), "b was dialled on its listen address, which identify also gave");
        assertEquals("memory", rb.agentVersion());
        assertTrue(rb.protocols().contains("/ipfs/ping/1.0.0"));
        // c dialled in: its ephemeral port is not kept, what it listens on (identify) is.
        PeerRecord rc = store.get(c.localPeer()).orElseThrow();
        assertEquals(List.of(c.listenAddresses().get(0)), rc.toPeerAddresses().addresses());
        assertEquals(Set.of(PeerStore.SOURCE_IDENTIFY), rc.addresses().get(0).sources());
        assertEquals(Set.of("mdns"), store.get(d).orElseThrow().addresses().get(0).sources());
        assertTrue(store.get(a.localPeer()).isEmpty(), "never its own record");

        store.recordLatency(b.localPeer(), Duration.ofMillis(3));
        assertEquals(Duration.ofMillis(3), store.get(b.localPeer()).orElseThrow().latency().orElseThrow());
    }

    @Test
    void survivesARestartAndSkipsUnreadableEntries(@TempDir Path dir) throws Exception {
        MemoryNode a = network.node();
        PeerId p = TestIdentity.random().peerId();
        PeerId q = TestIdentity.random().peerId();
        try (MvStoreDatastore ds = new MvStoreDatastore(dir.resolve("datastore"))) {
            PeerStoreService first = service(a, Map.of());
            first.bindDatastore(ds);
            first.addAddresses(p, List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001")), "bootstrap", Duration.ofHours(1));
            first.addAddresses(q, List.of(Multiaddr.parse("/ip4/10.0.0.2/tcp/4001")), "kad", Duration.ofHours(1));
            first.penalize(q, 7, "test");
            first.deactivate();
            services.remove(first);
            // Damage: garbage under a peer's key, a key that is no peer id, and a record under the wrong peer's key.
            PeerId r = TestIdentity.random().peerId();
            ds.put(PeerRecordCodec.keyBytes(r), new byte[] {1, (byte) 0xff, 0x13});
            ds.put("/peerstore/not-a-peer".getBytes(StandardCharsets.UTF_8), new byte[] {1});
            PeerId s = TestIdentity.random().peerId();
            ds.put(PeerRecordCodec.keyBytes(s), ds.get(PeerRecordCodec.keyBytes(p)).orElseThrow());
        }
        try (MvStoreDatastore ds = new MvStoreDatastore(dir.resolve("datastore"))) {
            PeerStoreService second = service(a, Map.of());
            second.bindDatastore(ds);
            second.pollNow();
            assertEquals(List.of(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001")),
                    second.get(p).orElseThrow().toPeerAddresses().addresses());
            assertEquals(Set.of("bootstrap"), second.get(p).orElseThrow().addresses().get(0).sources());
            double score = second.get(q).orElseThrow().score();
            assertTrue(score < -6.9 && score > -7.01, "the penalty survived: " + score);
            assertEquals(2, second.peers().size());
            List<String> corrupt = second.corruptEntries();
            assertEquals(3, corrupt.size(), corrupt.toString());
            assertTrue(corrupt.stream().anyMatch(m -> m.contains("/peerstore/not-a-peer") && m.contains("not a peer id")), corrupt.toString());
            assertTrue(corrupt.stream().anyMatch(m -> m.contains("stored under the key of")), corrupt.toString());
            // It goes on working and writing.
            second.remove(p);
            second.pollNow();
            assertFalse(ds.has(PeerRecordCodec.keyBytes(p)));
        }
    }

    @Test
    void aSourceFloodingPeersAndAddressesIsBounded() throws Exception {
        MemoryNode a = network.node();
        PeerStoreService store = service(a, Map.of("maxPeers", 300, "maxPeersPerSource", 200, "maxAddressesPerPeer", 8));
        List<PeerAddresses> flood = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            List<Multiaddr> addrs = new ArrayList<>();
            for (int j = 1; j <= 50; j++) {
                addrs.add(Multiaddr.parse("/ip4/10.2." + (i % 250) + "." + j + "/tcp/" + (4000 + i)));
            }
            addrs.add(Multiaddr.parse("/ip4/0.0.0.0/tcp/4001"));
            flood.add(new PeerAddresses(TestIdentity.random().peerId(), addrs));
        }
        PeerId good = TestIdentity.random().peerId();
        store.bindSource(() -> List.copyOf(flood), Map.of(PeerDiscovery.SOURCE_PROPERTY, "flood"));
        store.bindSource(() -> List.of(new PeerAddresses(good, List.of(Multiaddr.parse("/ip4/10.9.9.9/tcp/1")))),
                Map.of(PeerDiscovery.SOURCE_PROPERTY, "bootstrap"));
        store.pollNow();
        List<PeerRecord> peers = store.peers();
        assertTrue(peers.size() <= 201, "one source got at most its share: " + peers.size());
        assertTrue(store.get(good).isPresent(), "the flood did not push out another source's peer");
        peers.forEach(r -> assertTrue(r.addresses().size() <= 8, r.toString()));
        PeerBook.Counters n = store.counters();
        assertTrue(n.addressesRejected() >= 200, n.toString());
        assertTrue(n.addressesDropped() >= 200 * 42, n.toString());
    }

    @Test
    void aNewConnectionIsRecordedAsItOpensNotAtTheNextPoll() throws Exception {
        MemoryNode a = network.node();
        MemoryNode b = network.node().handle("/ipfs/ping/1.0.0", st -> st.reset());
        PeerStoreService store = service(a, Map.of("pollSeconds", 3600));
        store.pollNow();
        a.addConnectionListener(store); // what the host's whiteboard does in the framework
        network.connect(a, b);
        long deadline = System.currentTimeMillis() + 10_000;
        while (!store.get(b.localPeer()).map(r -> r.protocols().contains("/ipfs/ping/1.0.0")).orElse(false)) {
            assertTrue(System.currentTimeMillis() < deadline, "b and what identify says of it, without a poll");
            Thread.sleep(10);
        }
        assertEquals("memory", store.get(b.localPeer()).orElseThrow().agentVersion());
    }
}
