package org.hyphae.discovery.kad.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.transport.testkit.MemoryNode;
import org.hyphae.transport.testkit.MemoryStream;
import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.transport.streamio.StreamReader;
import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Varint;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Malformed and oversized messages, and peers that answer with garbage. */
class BadInputTest {

    private KadSim sim;

    @BeforeEach
    void start() throws Exception {
        sim = new KadSim(System::currentTimeMillis, 20, SpecConformanceTest.VALIDATORS);
        sim.grow(12);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** The node behind the last {@link #openTo} stream. */
    private MemoryNode lastClient;

    private Stream openTo(int index) throws Exception {
        MemoryNode client = sim.net.node();
        lastClient = client;
        sim.net.connect(client, sim.nodes.get(index));
        return client.newStream(sim.nodes.get(index).localPeer(), List.of(KadDht.PROTOCOL))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void malformedProtobufResetsTheStream() throws Exception {
        KadDht server = sim.dhts.get(0);
        Stream s = openTo(0);
        byte[] garbage = {0x12, 0x7f, 1, 2, 3}; // key claims 127 bytes, has 3
        ByteBuffer b = ByteBuffer.allocate(1 + garbage.length).put((byte) garbage.length).put(garbage).flip();
        s.write(b).toCompletableFuture().get(5, TimeUnit.SECONDS);
        s.closed().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertTrue(((MemoryStream) s).isReset());
        assertEquals(1, server.badMessages());
        assertTrue(server.penalty().excluded(lastClient.localPeer()), "the sender of garbage is penalized");
    }

    @Test
    void oversizedMessageIsRefusedBeforeItsBodyIsRead() throws Exception {
        KadDht server = sim.dhts.get(0);
        Stream s = openTo(0);
        ByteBuffer prefix = ByteBuffer.allocate(Varint.MAX_BYTES);
        Varint.writeTo(KadDht.MAX_MESSAGE + 1L, prefix);
        s.write(prefix.flip()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        s.closed().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertTrue(((MemoryStream) s).isReset());
        assertEquals(1, server.badMessages());
        assertTrue(server.penalty().excluded(lastClient.localPeer()), "the sender of an oversized message is penalized");
    }

    @Test
    void aPeerAnsweringGarbageDoesNotPoisonTheTable() throws Exception {
        // A liar: answers every request with unparseable ids, itself, and 1,000 unreachable peers
        // each with 100 addresses.
        MemoryNode liar = sim.net.node();
        List<KadMessage.Peer> lies = new ArrayList<>();
        lies.add(new KadMessage.Peer(new byte[] {1, 2, 3}, List.of(new byte[] {(byte) 0xff}), 0));
        lies.add(new KadMessage.Peer(liar.localPeer().bytes(), List.of(liar.listenAddresses().get(0).bytes()), 1));
        List<PeerId> fakes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            PeerId fake = TestIdentity.random().peerId();
            fakes.add(fake);
            List<byte[]> addrs = new ArrayList<>();
            for (int a = 0; a < 100; a++) {
                addrs.add(Multiaddr.parse("/ip4/10.9." + (a / 250) + "." + (a % 250) + "/tcp/" + (1000 + i)).bytes());
            }
            lies.add(new KadMessage.Peer(fake.bytes(), addrs, 0));
        }
        liar.handle(KadDht.PROTOCOL, stream -> {
            StreamReader r = new StreamReader(stream);
            r.readLengthPrefixed(KadDht.MAX_MESSAGE).thenCompose(req -> {
                byte[] body = new KadMessage(KadMessage.Type.FIND_NODE, new byte[0], null, lies, List.of()).encode();
                ByteBuffer out = ByteBuffer.allocate(Varint.encodedLength(body.length) + body.length);
                Varint.writeTo(body.length, out);
                return stream.write(out.put(body).flip());
            }).thenCompose(v -> stream.closeWrite());
        });
        KadDht victim = sim.dhts.get(3);
        MemoryNode victimNode = sim.nodes.get(3);
        sim.net.connect(victimNode, liar);
        victim.routingTable().add(liar.localPeer(), liar.listenAddresses(), 0);

        byte[] key = new byte[] {9, 9, 9};
        List<PeerAddresses> found = victim.closestPeers(key).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertFalse(found.isEmpty());
        for (PeerId fake : fakes) {
            assertTrue(victim.routingTable().find(fake).isEmpty(), "a peer only named by a liar entered the table");
        }
        assertTrue(found.stream().noneMatch(p -> fakes.contains(p.peer())));
        assertTrue(victim.badMessages() > 0, "the flooding answer was counted");
        assertTrue(victim.penalty().excluded(liar.localPeer()), "the liar was penalized");
        assertFalse(victim.routingTable().contains(liar.localPeer()), "and dropped from the table");
        assertTrue(fakes.stream().allMatch(f -> victim.knownAddresses(f).isEmpty()), "no address of a fake was kept");
        // The honest nodes are all still found.
        assertTrue(victim.routingTable().size() >= 11, "table has " + victim.routingTable().size());
    }

    /** A node that answers every kad request with {@code answer} (raw bytes, written as they are). */
    private MemoryNode liar(java.util.function.Function<KadMessage, byte[]> answer, java.util.concurrent.atomic.AtomicInteger asked) {
        MemoryNode liar = sim.net.node();
        liar.handle(KadDht.PROTOCOL, stream -> {
            StreamReader r = new StreamReader(stream);
            r.readLengthPrefixed(KadDht.MAX_MESSAGE).thenCompose(req -> {
                asked.incrementAndGet();
                KadMessage request;
                try {
                    request = KadMessage.decode(req.orElseThrow());
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
                return stream.write(ByteBuffer.wrap(answer.apply(request)));
            }).thenCompose(v -> stream.closeWrite());
        });
        return liar;
    }

    private static byte[] framed(KadMessage m) {
        byte[] body = m.encode();
        ByteBuffer out = ByteBuffer.allocate(Varint.encodedLength(body.length) + body.length);
        Varint.writeTo(body.length, out);
        return out.put(body).array();
    }

    /** Puts {@code liar} in {@code victim}'s table as a peer that answered once, honestly. */
    private void plant(int victimIndex, MemoryNode liar) {
        sim.net.connect(sim.nodes.get(victimIndex), liar);
        sim.dhts.get(victimIndex).routingTable().add(liar.localPeer(), liar.listenAddresses(), System.currentTimeMillis());
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void anAnswerThatIsNotProtobufGetsItsSenderPenalized() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        MemoryNode liar = liar(req -> new byte[] {5, 0x12, 0x7f, 1, 2, 3}, asked);
        plant(4, liar);
        KadDht victim = sim.dhts.get(4);
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> await(victim.request(liar.localPeer(),
                        KadMessage.request(KadMessage.Type.FIND_NODE, new byte[] {1}), true)));
        assertTrue(e.getCause().getMessage().contains("malformed kad answer from " + liar.localPeer()), e.getCause().getMessage());
        assertTrue(victim.penalty().excluded(liar.localPeer()));
        assertFalse(victim.routingTable().contains(liar.localPeer()));
        // Kept out: a later lookup does not ask it again, and it cannot get back into the table.
        int before = asked.get();
        assertFalse(await(victim.closestPeers(new byte[] {7})).isEmpty());
        assertEquals(before, asked.get(), "the penalized peer was not queried again");
        victim.noticeServer(liar.localPeer());
        assertFalse(victim.routingTable().contains(liar.localPeer()));
    }

    @Test
    void anOversizedAnswerIsRefusedAndItsSenderPenalized() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        MemoryNode liar = liar(req -> {
            ByteBuffer prefix = ByteBuffer.allocate(Varint.MAX_BYTES);
            Varint.writeTo(KadDht.MAX_MESSAGE + 1L, prefix);
            prefix.flip();
            byte[] b = new byte[prefix.remaining()];
            prefix.get(b);
            return b;
        }, asked);
        plant(5, liar);
        KadDht victim = sim.dhts.get(5);
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> await(victim.request(liar.localPeer(),
                        KadMessage.request(KadMessage.Type.FIND_NODE, new byte[] {1}), true)));
        assertTrue(e.getCause() instanceof org.hyphae.transport.streamio.MessageTooLargeException, e.getCause().toString());
        assertTrue(victim.penalty().excluded(liar.localPeer()));
        assertFalse(victim.routingTable().contains(liar.localPeer()));
    }

    @Test
    void aPeerWithThousandsOfAddressesGetsTheAnswerRefused() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        PeerId fake = TestIdentity.random().peerId();
        List<byte[]> addrs = new ArrayList<>();
        for (int a = 0; a < 5000; a++) {
            addrs.add(Multiaddr.parse("/ip4/10.8." + (a / 250) + "." + (a % 250) + "/tcp/4001").bytes());
        }
        MemoryNode liar = liar(req -> framed(new KadMessage(KadMessage.Type.FIND_NODE, req.key(), null,
                List.of(new KadMessage.Peer(fake.bytes(), addrs, 0)), List.of())), asked);
        plant(6, liar);
        KadDht victim = sim.dhts.get(6);
        List<PeerAddresses> found = await(victim.closestPeers(fake.bytes()));
        assertTrue(found.stream().noneMatch(p -> p.peer().equals(fake) || p.peer().equals(liar.localPeer())));
        assertTrue(victim.penalty().excluded(liar.localPeer()));
        assertTrue(victim.knownAddresses(fake).isEmpty(), "none of the 5,000 addresses was kept");
        assertTrue(victim.routingTable().find(fake).isEmpty());
        assertEquals(1, asked.get());
    }

    @Test
    void unreachablePeersNamedWithinTheLimitsStayOutOfTheTable() throws Exception {
        // Within the limits (20 peers, 16 addresses each), so not a violation: the lookup tries them,
        // they do not answer, and none enters the routing table or the result.
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        List<KadMessage.Peer> ghosts = new ArrayList<>();
        List<PeerId> ghostIds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            PeerId ghost = TestIdentity.random().peerId();
            ghostIds.add(ghost);
            List<byte[]> addrs = new ArrayList<>();
            for (int a = 0; a < 16; a++) {
                addrs.add(Multiaddr.parse("/ip4/10.7." + i + "." + a + "/tcp/4001").bytes());
            }
            ghosts.add(new KadMessage.Peer(ghost.bytes(), addrs, 0));
        }
        MemoryNode liar = liar(req -> framed(new KadMessage(KadMessage.Type.FIND_NODE, req.key(), null, ghosts, List.of())), asked);
        plant(7, liar);
        KadDht victim = sim.dhts.get(7);
        PeerId wanted = sim.nodes.get(11).localPeer();
        victim.routingTable().remove(wanted);
        KadDht.PeerTrace trace = await(victim.findPeerTraced(wanted));
        assertTrue(trace.found().isPresent(), "the honest peers still lead to the target");
        List<PeerAddresses> closest = await(victim.closestPeers(new byte[] {4, 2}));
        assertFalse(closest.isEmpty());
        for (PeerId g : ghostIds) {
            assertTrue(victim.routingTable().find(g).isEmpty(), "an unreachable peer entered the table");
            assertTrue(closest.stream().noneMatch(p -> p.peer().equals(g)));
        }
        assertFalse(victim.penalty().excluded(liar.localPeer()), "naming unreachable peers within the limits is no violation");
    }

    @Test
    void aPeerNamingItselfAndUsIsHarmless() throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        MemoryNode victimNode = sim.nodes.get(8);
        MemoryNode[] self = new MemoryNode[1];
        MemoryNode liar = liar(req -> framed(new KadMessage(KadMessage.Type.FIND_NODE, req.key(), null, List.of(
                new KadMessage.Peer(self[0].localPeer().bytes(), List.of(self[0].listenAddresses().get(0).bytes()), 1),
                new KadMessage.Peer(self[0].localPeer().bytes(), List.of(self[0].listenAddresses().get(0).bytes()), 1),
                new KadMessage.Peer(victimNode.localPeer().bytes(), List.of(victimNode.listenAddresses().get(0).bytes()), 1)),
                List.of())), asked);
        self[0] = liar;
        plant(8, liar);
        KadDht victim = sim.dhts.get(8);
        List<PeerAddresses> found = await(victim.closestPeers(liar.localPeer().bytes()));
        assertEquals(1, asked.get(), "asked once, however often it names itself");
        assertTrue(found.stream().noneMatch(p -> p.peer().equals(victimNode.localPeer())), "this node is never its own candidate");
        assertTrue(found.size() >= 11);
    }

    @Test
    void recordsWithBadSignaturesOrFromTheWrongKeyAreRefusedAndTheSenderPenalized() throws Exception {
        KadDht server = sim.dhts.get(2);
        TestIdentity owner = TestIdentity.random();
        // A /pk record holding another peer's key, and a signed record signed by someone else.
        byte[] pkKey = PublicKeyValidator.keyFor(owner.publicKeyProtobuf());
        byte[] wrongKey = TestIdentity.random().publicKeyProtobuf();
        byte[] signedKey = SignedTestValidator.key(owner);
        byte[] forged = SignedTestValidator.value(TestIdentity.random(), 9);
        for (byte[][] kv : new byte[][][] {{pkKey, wrongKey}, {signedKey, forged}}) {
            Stream s = openTo(2);
            KadMessage put = new KadMessage(KadMessage.Type.PUT_VALUE, kv[0], new KadMessage.Record(kv[0], kv[1], "t"),
                    List.of(), List.of());
            s.write(ByteBuffer.wrap(framed(put))).toCompletableFuture().get(5, TimeUnit.SECONDS);
            s.closed().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertTrue(((MemoryStream) s).isReset(), "the PUT_VALUE stream was reset");
            assertTrue(server.penalty().excluded(lastClient.localPeer()), "the sender was penalized");
            assertTrue(server.store().getValue(kv[0], System.currentTimeMillis()).isEmpty(), "nothing stored");
        }
        // The same records in GET_VALUE answers: refused, and the liar penalized; the owner's real record wins.
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        MemoryNode liar = liar(req -> framed(new KadMessage(KadMessage.Type.GET_VALUE, req.key(),
                new KadMessage.Record(signedKey, forged, "t"), List.of(), List.of())), asked);
        plant(9, liar);
        KadDht victim = sim.dhts.get(9);
        byte[] real = SignedTestValidator.value(owner, 1);
        await(sim.dhts.get(10).put(signedKey, real));
        java.util.Optional<byte[]> got = await(victim.get(signedKey));
        org.junit.jupiter.api.Assertions.assertArrayEquals(real, got.orElseThrow());
        assertTrue(asked.get() >= 1);
        assertTrue(victim.penalty().excluded(liar.localPeer()), "the holder of the forged record was penalized");
    }

    @Test
    void recordsSurviveARestartThroughTheDatastore() throws Exception {
        org.hyphae.storage.memory.MemoryDatastore ds = new org.hyphae.storage.memory.MemoryDatastore();
        RecordStore first = new RecordStore(() -> ds);
        TestIdentity id = TestIdentity.random();
        byte[] key = PublicKeyValidator.keyFor(id.publicKeyProtobuf());
        long now = System.currentTimeMillis();
        first.putValue(key, id.publicKeyProtobuf(), "t", now + KadDht.RECORD_TTL_MS);
        byte[] mh = org.hyphae.multiformats.Multihash.sha2_256(new byte[] {1}).bytes();
        first.addProvider(mh, id.peerId(), List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001")), now + KadDht.PROVIDER_TTL_MS);
        first.addProvider(mh, TestIdentity.random().peerId(), List.of(), now - 1);

        RecordStore second = new RecordStore(() -> ds);
        second.load(ds, now);
        assertTrue(second.getValue(key, now).isPresent());
        assertEquals(1, second.providers(mh, now).size(), "the expired provider is not loaded");
        assertEquals(List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001")), second.providers(mh, now).get(0).addresses());
        second.expire(now + KadDht.PROVIDER_TTL_MS + 1);
        assertEquals(0, second.providerKeyCount());
        RecordStore third = new RecordStore(() -> ds);
        third.load(ds, now);
        assertEquals(0, third.providerKeyCount() + third.valueCount(), "expiry deleted them from the datastore too");
    }
}
