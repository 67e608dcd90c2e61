package org.hyphae.exchange.bitswap.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.hyphae.exchange.ExchangeSession;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Varint;
import org.hyphae.storage.Cursor;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that lie or flood: blocks whose bytes do not match the CID asked for, HAVE never followed
 * by the block, want lists over the limit, oversized and malformed messages. Each is refused, the
 * peer scored down, the download carries on with the honest peers, and nothing unverified is stored.
 */
class BadInputTest {

    private final SwarmSim sim = new SwarmSim();

    @AfterEach
    void close() {
        sim.close();
    }

    private static void assertOnlyVerifiedBlocks(SwarmSim.Peer peer, List<byte[]> expected) throws Exception {
        List<Cid> stored = new ArrayList<>();
        try (Cursor<Cid> c = peer.store().cids()) {
            c.forEachRemaining(stored::add);
        }
        assertEquals(expected.size(), stored.size(), "exactly the wanted blocks are stored");
        for (byte[] b : expected) {
            assertArrayEquals(b, peer.store().get(SwarmSim.cid(b)).orElseThrow());
        }
    }

    @Test
    void blocksWhoseBytesDoNotMatchTheirCidAreRejectedAndTheLiarIsIgnored() throws Exception {
        List<byte[]> blocks = SwarmSim.blocks(60, 5_000, 11);
        SwarmSim.Peer fetcher = sim.add(SwarmSim.quick());
        SwarmSim.Peer honest = sim.add(SwarmSim.quick());
        SwarmSim.seed(honest, blocks);
        // Says HAVE to everything and answers every want-block at once with other bytes under the CID's prefix.
        ScriptedPeer liar = new ScriptedPeer(sim.net.node(), m -> {
            List<BitswapMessage.Presence> have = new ArrayList<>();
            List<BitswapMessage.Block> garbage = new ArrayList<>();
            for (BitswapMessage.Entry e : m.entries()) {
                if (e.cancel()) {
                    continue;
                }
                if (e.wantHave()) {
                    have.add(new BitswapMessage.Presence(e.cid(), true));
                } else {
                    garbage.add(new BitswapMessage.Block(e.cid(), ("not the block " + e.cid()).getBytes()));
                }
            }
            return BitswapMessage.of(List.of(), garbage, have);
        });
        sim.net.connect(fetcher.node(), liar.node);
        sim.net.connect(fetcher.node(), honest.node());
        try (ExchangeSession s = fetcher.bitswap().newSession("liar")) {
            List<byte[]> got = BitswapTest.fetchAll(s, blocks);
            for (int i = 0; i < blocks.size(); i++) {
                assertArrayEquals(blocks.get(i), got.get(i));
            }
            assertFalse(s.activePeers().contains(liar.node.localPeer()));
        }
        assertTrue(liar.wantBlocksSeen.get() > 0, "the liar was asked");
        assertTrue(fetcher.bitswap().stats().rejectedBlocks() > 0);
        assertTrue(fetcher.bitswap().score(liar.node.localPeer()) <= -Bitswap.Settings.defaults().banThreshold(),
                "score " + fetcher.bitswap().score(liar.node.localPeer()));
        assertTrue(fetcher.bitswap().scores().banned(liar.node.localPeer()));
        assertEquals(0, fetcher.bitswap().score(honest.node().localPeer()));
        assertOnlyVerifiedBlocks(fetcher, blocks);
    }

    @Test
    void aPeerThatSaysHaveAndNeverSendsIsTimedOutAndTheOthersDeliver() throws Exception {
        List<byte[]> blocks = SwarmSim.blocks(40, 3_000, 12);
        SwarmSim.Peer fetcher = sim.add(SwarmSim.quick());
        SwarmSim.Peer honest = sim.add(SwarmSim.quick());
        SwarmSim.seed(honest, blocks);
        ScriptedPeer silent = new ScriptedPeer(sim.net.node(), m -> BitswapMessage.of(List.of(), List.of(),
                m.entries().stream().filter(e -> !e.cancel() && e.wantHave())
                        .map(e -> new BitswapMessage.Presence(e.cid(), true)).toList()));
        // The silent peer answers first, so it is the first holder the session knows.
        sim.net.connect(fetcher.node(), silent.node);
        try (ExchangeSession s = fetcher.bitswap().newSession("silent")) {
            List<java.util.concurrent.CompletableFuture<byte[]>> futures = new ArrayList<>();
            for (byte[] b : blocks) {
                futures.add(s.get(SwarmSim.cid(b)).toCompletableFuture());
            }
            Thread.sleep(200);
            sim.net.connect(fetcher.node(), honest.node());
            for (int i = 0; i < blocks.size(); i++) {
                assertArrayEquals(blocks.get(i), futures.get(i).get(60, TimeUnit.SECONDS));
            }
            assertFalse(s.activePeers().contains(silent.node.localPeer()) && s.activePeers().indexOf(silent.node.localPeer()) == 0,
                    "the silent peer is not preferred");
        }
        assertTrue(silent.wantBlocksSeen.get() > 0, "the silent peer was asked for blocks");
        assertTrue(fetcher.bitswap().score(silent.node.localPeer()) < 0, "scored down");
        assertOnlyVerifiedBlocks(fetcher, blocks);
    }

    @Test
    void aSilentPeerAloneEndsTheWantWithBlockUnavailableInsteadOfHanging() throws Exception {
        Bitswap.Settings shortDeadline = SwarmSim.quick(600, 2_000);
        SwarmSim.Peer fetcher = sim.add(shortDeadline);
        ScriptedPeer silent = new ScriptedPeer(sim.net.node(), m -> BitswapMessage.of(List.of(), List.of(),
                m.entries().stream().filter(e -> !e.cancel() && e.wantHave())
                        .map(e -> new BitswapMessage.Presence(e.cid(), true)).toList()));
        sim.net.connect(fetcher.node(), silent.node);
        byte[] block = SwarmSim.blocks(1, 100, 14).get(0);
        try (ExchangeSession s = fetcher.bitswap().newSession("silent alone")) {
            java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> s.get(SwarmSim.cid(block)).toCompletableFuture().get(30, TimeUnit.SECONDS));
            org.junit.jupiter.api.Assertions.assertInstanceOf(org.hyphae.exchange.BlockUnavailableException.class, e.getCause());
        }
        assertTrue(silent.wantBlocksSeen.get() > 1, "asked again after each stall: " + silent.wantBlocksSeen.get());
        // Nobody else delivered, so the peer was slow rather than lying: not scored down.
        assertEquals(0, fetcher.bitswap().score(silent.node.localPeer()));
        assertFalse(fetcher.store().has(SwarmSim.cid(block)));
    }

    private static byte[] wantlist(int entries, int seed) {
        List<BitswapMessage.Entry> e = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            e.add(BitswapMessage.Entry.wantBlock(SwarmSim.cid(new byte[] {(byte) seed, (byte) i, (byte) (i >> 8)}), 1));
        }
        return org.hyphae.transport.streamio.LengthPrefixed.frame(BitswapMessage.of(e, List.of(), List.of())
                .encode(Bitswap.PROTOCOL_120)).array();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aWantListFloodIsRefusedAndOtherPeersAreStillServed() throws Exception {
        SwarmSim.Peer server = sim.add(SwarmSim.quick());
        ScriptedPeer flooder = new ScriptedPeer(sim.net.node(), m -> null);
        sim.net.connect(flooder.node, server.node());
        // One message over the per-message limit: refused whole.
        flooder.send(server.node().localPeer(), wantlist(5_000, 1)).get(10, TimeUnit.SECONDS);
        await(() -> server.bitswap().score(flooder.node.localPeer()) < 0, "flood penalized");
        assertEquals(0, server.bitswap().wantlistSize(flooder.node.localPeer()));
        // Many messages within the limit, on one stream: the want list stops growing at the limit.
        // (On one stream because the second penalty bans the peer, and a banned peer's new streams
        // are reset: separate streams would race the ban.)
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            messages.write(wantlist(600, 10 + i));
        }
        flooder.send(server.node().localPeer(), messages.toByteArray()).get(10, TimeUnit.SECONDS);
        await(() -> server.bitswap().score(flooder.node.localPeer()) <= -2 * PeerScores.FLOOD, "second flood penalized");
        assertEquals(Bitswap.Settings.defaults().maxWantlistEntries(), server.bitswap().wantlistSize(flooder.node.localPeer()));
        // An honest peer is still served.
        List<byte[]> blocks = SwarmSim.blocks(10, 1000, 13);
        SwarmSim.seed(server, blocks);
        SwarmSim.Peer fetcher = sim.add(SwarmSim.quick());
        sim.net.connect(fetcher.node(), server.node());
        try (ExchangeSession s = fetcher.bitswap().newSession("after the flood")) {
            BitswapTest.fetchAll(s, blocks);
        }
    }

    @Test
    void anOversizedMessageResetsTheStreamAndCostsScore() throws Exception {
        SwarmSim.Peer server = sim.add(SwarmSim.quick());
        ScriptedPeer sender = new ScriptedPeer(sim.net.node(), m -> null);
        sim.net.connect(sender.node, server.node());
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.write(Varint.encode(5L << 20)); // 5 MiB, over the 4 MiB limit
        raw.write(new byte[1000]);
        Stream s = sender.send(server.node().localPeer(), raw.toByteArray()).get(10, TimeUnit.SECONDS);
        s.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        await(() -> server.bitswap().badMessages() == 1, "message refused");
        assertEquals(-PeerScores.MALFORMED, server.bitswap().score(sender.node.localPeer()));
    }

    @Test
    void aMalformedMessageResetsTheStreamAndCostsScore() throws Exception {
        SwarmSim.Peer server = sim.add(SwarmSim.quick());
        ScriptedPeer sender = new ScriptedPeer(sim.net.node(), m -> null);
        sim.net.connect(sender.node, server.node());
        byte[] garbage = {0x0a, 0x05, 0x0a, 0x7f, 0x01, 0x02, 0x03}; // a want list whose entry runs past its end
        byte[] framed = org.hyphae.transport.streamio.LengthPrefixed.frame(garbage).array();
        Stream s = sender.send(server.node().localPeer(), framed).get(10, TimeUnit.SECONDS);
        s.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        await(() -> server.bitswap().badMessages() == 1, "message refused");
        assertEquals(-PeerScores.MALFORMED, server.bitswap().score(sender.node.localPeer()));
    }

    @Test
    void aMessageDecodesTheSameFromAnySplitIntoPartsAndATruncatedOneIsMalformed() throws Exception {
        java.util.Random random = new java.util.Random(5);
        byte[] big = new byte[300_000];
        random.nextBytes(big);
        byte[] small = "small".getBytes();
        BitswapMessage m = BitswapMessage.of(List.of(BitswapMessage.Entry.wantHave(SwarmSim.cid(small), 3)),
                List.of(new BitswapMessage.Block(SwarmSim.cid(big), big), new BitswapMessage.Block(SwarmSim.cid(small), small)),
                List.of(new BitswapMessage.Presence(SwarmSim.cid(small), true)));
        byte[] encoded = m.encode(Bitswap.PROTOCOL_120);
        for (int split : new int[] {1, 7, 4096, 65_536, encoded.length}) {
            List<java.nio.ByteBuffer> parts = new java.util.ArrayList<>();
            for (int at = 0; at < encoded.length; at += split) {
                // Views of one array at an offset, as the stream reader's slices of its chunks are.
                parts.add(java.nio.ByteBuffer.wrap(encoded, at, Math.min(split, encoded.length - at)).slice());
            }
            BitswapMessage back = BitswapMessage.decode(parts, 1024);
            assertEquals(2, back.incoming().size(), "split " + split);
            assertArrayEquals(big, back.incoming().get(0).data(), "split " + split);
            assertEquals(SwarmSim.cid(small), back.incoming().get(1).verify().cid(), "split " + split);
            assertEquals(1, back.entries().size());
            assertEquals(1, back.presences().size());
        }
        List<java.nio.ByteBuffer> truncated = List.of(java.nio.ByteBuffer.wrap(encoded, 0, 200_000).slice());
        org.junit.jupiter.api.Assertions.assertThrows(com.google.protobuf.InvalidProtocolBufferException.class,
                () -> BitswapMessage.decode(truncated, 1024));
    }

    @Test
    void blocksOfEveryVersionDecodeToTheCidTheirBytesHashTo() throws Exception {
        byte[] data = "hello bitswap".getBytes();
        Cid raw = SwarmSim.cid(data);
        Cid v0 = Cid.v0(org.hyphae.multiformats.Multihash.sha2_256(data));
        for (String protocol : Bitswap.PROTOCOLS) {
            Cid cid = Bitswap.PROTOCOL_100.equals(protocol) ? v0 : raw;
            BitswapMessage m = BitswapMessage.of(List.of(BitswapMessage.Entry.wantHave(raw, 3), BitswapMessage.Entry.cancel(v0)),
                    List.of(new BitswapMessage.Block(cid, data)), List.of(new BitswapMessage.Presence(raw, false)));
            BitswapMessage back = BitswapMessage.decode(m.encode(protocol), 1024);
            assertEquals(cid, back.incoming().get(0).verify().cid(), protocol);
            assertArrayEquals(data, back.incoming().get(0).data());
            assertEquals(2, back.entries().size());
            assertEquals(Bitswap.PROTOCOL_120.equals(protocol), back.entries().get(0).wantHave(), protocol);
            assertTrue(back.entries().get(1).cancel());
            assertEquals(Bitswap.PROTOCOL_120.equals(protocol) ? 1 : 0, back.presences().size(), protocol);
        }
        // A prefix with a hash function we cannot check is refused, not trusted.
        byte[] prefix = {0x01, 0x55, (byte) 0xb2, 0x40, 0x20};
        org.junit.jupiter.api.Assertions.assertThrows(com.google.protobuf.InvalidProtocolBufferException.class,
                () -> BitswapMessage.incoming(prefix, data));
        // CIDv0 is dag-pb with sha2-256: a v0 prefix naming raw is malformed, not taken for dag-pb.
        byte[] v0Raw = {0x00, 0x55, 0x12, 0x20};
        org.junit.jupiter.api.Assertions.assertThrows(com.google.protobuf.InvalidProtocolBufferException.class,
                () -> BitswapMessage.incoming(v0Raw, data));
        // A prefix checked at decode is hashed on verify: the bytes decide the CID, not the sender.
        byte[] v1Raw = BitswapMessage.prefix(raw);
        assertEquals(raw, BitswapMessage.incoming(v1Raw, data).verify().cid());
        assertNotEquals(raw, BitswapMessage.incoming(v1Raw, "other bytes".getBytes()).verify().cid());
    }
}
