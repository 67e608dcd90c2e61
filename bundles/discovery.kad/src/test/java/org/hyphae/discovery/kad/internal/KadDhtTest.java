package org.hyphae.discovery.kad.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.hyphae.discovery.InvalidRecordException;
import org.hyphae.discovery.PeerAddresses;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Multihash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fifty DHT nodes on the in-memory network: lookups, peers, providers, values. */
class KadDhtTest {

    private static KadSim sim;

    @BeforeAll
    static void start() throws Exception {
        sim = new KadSim();
        sim.grow(50);
        assertEquals(List.of(), sim.net.violations());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void everyNodeKnowsManyPeers() {
        for (KadDht d : sim.dhts) {
            assertTrue(d.routingTable().size() >= 20, "routing table of " + d.routingTable().size());
        }
    }

    @Test
    void lookupsConvergeOnTheTrueClosestPeers() throws Exception {
        Random random = new Random(7);
        int exact = 0;
        for (int trial = 0; trial < 10; trial++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            KadDht from = sim.dhts.get(random.nextInt(sim.dhts.size()));
            PeerId self = sim.nodes.get(sim.dhts.indexOf(from)).localPeer();
            KadKey target = KadKey.of(key);
            List<PeerId> truth = sim.nodes.stream().map(MemoryNode::localPeer).filter(p -> !p.equals(self))
                    .sorted(Comparator.comparing(p -> KadKey.of(p.bytes()), target::compareDistance))
                    .limit(20).toList();
            List<PeerId> found = await(from.closestPeers(key)).stream().map(PeerAddresses::peer).toList();
            assertEquals(20, found.size());
            Set<PeerId> overlap = new HashSet<>(found);
            overlap.retainAll(truth);
            assertTrue(overlap.size() >= 18, "lookup found " + overlap.size() + " of the 20 closest");
            if (found.equals(truth)) {
                exact++;
            }
        }
        assertTrue(exact >= 8, "exact lookups: " + exact + " of 10");
    }

    @Test
    void findsAPeerById() throws Exception {
        MemoryNode wanted = sim.nodes.get(49);
        KadDht asker = sim.dhts.get(0);
        Optional<PeerAddresses> found = await(asker.findPeer(wanted.localPeer()));
        assertTrue(found.isPresent());
        assertEquals(wanted.listenAddresses(), found.get().addresses());
        assertTrue(await(asker.findPeer(TestIdentity.random().peerId())).isEmpty(), "an unknown peer is not found");
    }

    @Test
    void providerRecordsRoundTrip() throws Exception {
        byte[] mh = Multihash.sha2_256("some content".getBytes(StandardCharsets.UTF_8)).bytes();
        await(sim.dhts.get(10).provide(mh));
        // ADD_PROVIDER has no answer: provide() completes once sent; the holders store it a moment later.
        long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sim.dhts.stream().filter(d -> !d.store().providers(mh, System.currentTimeMillis()).isEmpty()).count() < 15
                && System.nanoTime() < wait) {
            Thread.sleep(10);
        }
        List<PeerAddresses> providers = await(sim.dhts.get(33).findProviders(mh, 5));
        assertEquals(List.of(sim.nodes.get(10).localPeer()), providers.stream().map(PeerAddresses::peer).toList());
        assertEquals(sim.nodes.get(10).listenAddresses(), providers.get(0).addresses());
        // Stored on the nodes closest to the key, with the spec's 48 h expiry.
        long holders = sim.dhts.stream().filter(d -> !d.store().providers(mh, System.currentTimeMillis()).isEmpty()).count();
        assertTrue(holders >= 15, "provider record held by " + holders + " nodes");
        long now = System.currentTimeMillis();
        for (KadDht d : sim.dhts) {
            for (RecordStore.Provider p : d.store().providers(mh, now)) {
                long ttl = p.expiresAt() - now;
                assertTrue(ttl > KadDht.PROVIDER_TTL_MS - 60_000 && ttl <= KadDht.PROVIDER_TTL_MS, "expiry in " + ttl + " ms");
            }
        }
        byte[] nobody = Multihash.sha2_256("nobody has this".getBytes(StandardCharsets.UTF_8)).bytes();
        assertEquals(List.of(), await(sim.dhts.get(3).findProviders(nobody, 5)));
    }

    @Test
    void publicKeyRecordsRoundTrip() throws Exception {
        TestIdentity id = TestIdentity.random();
        byte[] key = PublicKeyValidator.keyFor(id.publicKeyProtobuf());
        await(sim.dhts.get(5).put(key, id.publicKeyProtobuf()));
        Optional<byte[]> got = await(sim.dhts.get(44).get(key));
        assertArrayEquals(id.publicKeyProtobuf(), got.orElseThrow());
        long holders = sim.dhts.stream().filter(d -> d.store().getValue(key, System.currentTimeMillis()).isPresent()).count();
        assertTrue(holders >= 15, "value held by " + holders + " nodes");
    }

    @Test
    void invalidRecordsAreRefusedLocallyAndRemotely() throws Exception {
        TestIdentity id = TestIdentity.random();
        byte[] key = PublicKeyValidator.keyFor(id.publicKeyProtobuf());
        byte[] otherKey = TestIdentity.random().publicKeyProtobuf();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> sim.dhts.get(1).put(key, otherKey).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertInstanceOf(InvalidRecordException.class, e.getCause());
        ExecutionException ns = assertThrows(ExecutionException.class, () -> sim.dhts.get(1)
                .put("/unknown/x".getBytes(StandardCharsets.US_ASCII), new byte[] {1}).toCompletableFuture()
                .get(30, TimeUnit.SECONDS));
        assertInstanceOf(InvalidRecordException.class, ns.getCause());

        // A peer that sends the bad record anyway: the server refuses it and stores nothing.
        KadDht server = sim.dhts.get(2);
        PeerId serverId = sim.nodes.get(2).localPeer();
        KadMessage bad = new KadMessage(KadMessage.Type.PUT_VALUE, key, new KadMessage.Record(key, otherKey, ""),
                List.of(), List.of());
        long before = server.badMessages();
        assertThrows(ExecutionException.class, () -> sim.dhts.get(3).request(serverId, bad, true)
                .toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertTrue(server.store().getValue(key, System.currentTimeMillis()).isEmpty());
        assertTrue(server.badMessages() > before);
    }

    @Test
    void providerAnnouncementsForOthersAreIgnored() throws Exception {
        byte[] mh = Multihash.sha2_256("spoofed".getBytes(StandardCharsets.UTF_8)).bytes();
        PeerId victim = sim.nodes.get(7).localPeer();
        KadMessage spoof = new KadMessage(KadMessage.Type.ADD_PROVIDER, mh, null, List.of(),
                List.of(new KadMessage.Peer(victim.bytes(), List.of(), 0)));
        await(sim.dhts.get(8).request(sim.nodes.get(9).localPeer(), spoof, false));
        sim.net.settle();
        assertTrue(sim.dhts.get(9).store().providers(mh, System.currentTimeMillis()).isEmpty());
        assertFalse(sim.dhts.get(9).store().providers(mh, 0).stream().anyMatch(p -> p.peer().equals(victim)));
    }
}
