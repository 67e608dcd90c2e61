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
        sim = new KadSim();
        sim.grow(12);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private Stream openTo(int index) throws Exception {
        MemoryNode client = sim.net.node();
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
        assertTrue(victim.badMessages() > 0, "the unparseable id and address were counted");
        // The honest nodes are all still found.
        assertTrue(victim.routingTable().size() >= 11, "table has " + victim.routingTable().size());
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
