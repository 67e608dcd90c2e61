package org.hyphae.host.internal.identify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.hyphae.transport.streamio.MalformedMessageException;
import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.transport.Multiaddr;
import org.junit.jupiter.api.Test;

/**
 * The identify protobuf against golden vectors that unmodified js-libp2p (@libp2p/identify 4.1.14,
 * its protons codec) produced for the same messages; the generator is
 * {@code src/test/resources/org/hyphae/host/internal/identify/js-identify-vectors.mjs}.
 */
class IdentifyMessageTest {

    private static final HexFormat HEX = HexFormat.of();
    /** The js peer id of the Ed25519 key whose seed is 32 bytes of 7. */
    private static final String JS_PEER = "12D3KooWRawPbxPtP1eZaJpumGnyWX2DcUyd3RQnydr3eAto4Az7";
    private static final String JS_FULL = "2a0a697066732f302e312e30320c6879706861652f302e312e300a2408011220ea4a6c63e29c52"
            + "0abef5507b132ec5f9954776aebebe7b92421eea691446d22c1208047f000001060fa112162900000000000000000000000000000001"
            + "060fa2dd032208040a00000206c8221a0e2f697066732f69642f312e302e301a132f697066732f69642f707573682f312e302e301a10"
            + "2f697066732f70696e672f312e302e30";
    private static final String JS_PUSH = "2a01703201611208047f000001060fa112162900000000000000000000000000000001060fa2dd"
            + "031a082f782f312e302e30";

    private static List<byte[]> addrs() {
        return List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001").bytes(), Multiaddr.parse("/ip6/::1/tcp/4002/ws").bytes());
    }

    private static IdentifyMessage full() {
        TestIdentity id = TestIdentity.fromSeedByte(7);
        assertEquals(JS_PEER, id.peerId().toString());
        return new IdentifyMessage("ipfs/0.1.0", "hyphae/0.1.0", id.publicKeyProtobuf(), addrs(),
                Multiaddr.parse("/ip4/10.0.0.2/tcp/51234").bytes(),
                List.of("/ipfs/id/1.0.0", "/ipfs/id/push/1.0.0", "/ipfs/ping/1.0.0"), null);
    }

    @Test
    void encodesExactlyAsJsLibp2p() {
        assertEquals(JS_FULL, HEX.formatHex(full().encode()));
        IdentifyMessage push = new IdentifyMessage("p", "a", null, addrs(), null, List.of("/x/1.0.0"), null);
        assertEquals(JS_PUSH, HEX.formatHex(push.encode()));
        assertEquals(0, new IdentifyMessage(null, null, null, List.of(), null, List.of(), null).encode().length);
    }

    @Test
    void decodesJsLibp2pMessages() throws Exception {
        IdentifyMessage m = IdentifyMessage.decode(HEX.parseHex(JS_FULL));
        assertEquals(full(), m);
        assertEquals("hyphae/0.1.0", m.agentVersion());
        assertArrayEquals(TestIdentity.fromSeedByte(7).publicKeyProtobuf(), m.publicKey());
        assertEquals(Multiaddr.parse("/ip6/::1/tcp/4002/ws"), Multiaddr.decode(m.listenAddrs().get(1)));
        IdentifyMessage push = IdentifyMessage.decode(HEX.parseHex(JS_PUSH));
        assertNull(push.publicKey());
        assertNull(push.observedAddr());
        assertNull(push.signedPeerRecord());
        assertEquals(List.of("/x/1.0.0"), push.protocols());
    }

    @Test
    void absentFieldsStayAbsent() throws Exception {
        IdentifyMessage m = IdentifyMessage.decode(new byte[0]);
        assertNull(m.protocolVersion());
        assertNull(m.agentVersion());
        assertEquals(List.of(), m.protocols());
    }

    @Test
    void skipsUnknownFields() throws Exception {
        // field 7 varint 1, field 9 bytes "x", field 100 fixed32, then protocols "/a"
        byte[] bytes = HEX.parseHex("3801" + "4a0178" + "a5060102030" + "4" + "1a022f61");
        assertEquals(List.of("/a"), IdentifyMessage.decode(bytes).protocols());
    }

    @Test
    void rejectsTruncatedMessages() {
        byte[] bytes = full().encode();
        for (int cut : new int[] {1, 5, bytes.length - 1}) {
            byte[] part = java.util.Arrays.copyOf(bytes, cut);
            MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> IdentifyMessage.decode(part));
            assertTrue(e.getMessage().startsWith("malformed Identify protobuf"), e.getMessage());
        }
    }

    @Test
    void rejectsAKnownFieldWithTheWrongWireType() {
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> IdentifyMessage.decode(new byte[] {0x08, 0x01}));
        assertTrue(e.getMessage().contains("field 1 (publicKey) has wire type 0"), e.getMessage());
    }

    @Test
    void rejectsGarbage() {
        assertThrows(MalformedMessageException.class, () -> IdentifyMessage.decode(new byte[] {(byte) 0xFF, (byte) 0xFF}));
        assertThrows(MalformedMessageException.class, () -> IdentifyMessage.decode(new byte[] {0x00, 0x01}));
    }

    @Test
    void splitsALargeMessageIntoPiecesThatMergeBack() {
        List<String> protocols = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            protocols.add("/hyphae/test/protocol-" + i + "/1.0.0");
        }
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(Multiaddr.parse("/ip4/10.0.0." + (i % 250) + "/tcp/" + (4000 + i)).bytes());
        }
        IdentifyMessage big = new IdentifyMessage("ipfs/0.1.0", "hyphae/0.1.0",
                TestIdentity.fromSeedByte(7).publicKeyProtobuf(), many, null, protocols, null);
        List<IdentifyMessage> parts = big.split(8192);
        assertTrue(parts.size() > 1);
        for (IdentifyMessage p : parts) {
            assertTrue(p.encode().length <= 8192, p.encode().length + " bytes");
        }
        assertEquals(big, IdentifyMessage.merge(parts));
        assertEquals(List.of(full()), full().split(8192));
    }

    @Test
    void mergeLetsLaterSingleFieldsWinAndJoinsProtocols() {
        IdentifyMessage a = new IdentifyMessage("p1", "a1", null, addrs(), null, List.of("/x", "/y"), null);
        IdentifyMessage b = new IdentifyMessage(null, "a2", null, addrs().subList(0, 1), null, List.of("/y", "/z"), null);
        IdentifyMessage m = IdentifyMessage.merge(List.of(a, b));
        assertEquals("p1", m.protocolVersion());
        assertEquals("a2", m.agentVersion());
        assertEquals(3, m.listenAddrs().size());
        assertEquals(List.of("/x", "/y", "/z"), m.protocols());
    }
}
