package org.hyphae.discovery.kad.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import com.google.protobuf.InvalidProtocolBufferException;

import org.junit.jupiter.api.Test;

class KadMessageTest {

    @Test
    void roundTripsEveryField() throws Exception {
        KadMessage m = new KadMessage(KadMessage.Type.GET_PROVIDERS, new byte[] {1, 2, 3},
                new KadMessage.Record("/pk/x".getBytes(StandardCharsets.US_ASCII), new byte[] {9}, "2026-11-24T00:00:00Z"),
                List.of(new KadMessage.Peer(new byte[] {4}, List.of(new byte[] {5, 6}), 1)),
                List.of(new KadMessage.Peer(new byte[] {7}, List.of(), 0)));
        KadMessage d = KadMessage.decode(m.encode());
        assertEquals(KadMessage.Type.GET_PROVIDERS, d.type());
        assertArrayEquals(new byte[] {1, 2, 3}, d.key());
        assertArrayEquals(new byte[] {9}, d.record().value());
        assertEquals("2026-11-24T00:00:00Z", d.record().timeReceived());
        assertArrayEquals(new byte[] {5, 6}, d.closerPeers().get(0).addrs().get(0));
        assertEquals(1, d.closerPeers().get(0).connection());
        assertArrayEquals(new byte[] {7}, d.providerPeers().get(0).id());
    }

    @Test
    void matchesTheProtobufWireFormat() throws Exception {
        // type=FIND_NODE(4), key=0xAB, clusterLevelRaw=0 omitted: 08 04 12 01 ab
        assertEquals("08041201ab", HexFormat.of().formatHex(
                KadMessage.request(KadMessage.Type.FIND_NODE, new byte[] {(byte) 0xAB}).encode()));
        // A PUT_VALUE has type 0, which a proto3 encoder leaves out: decoding without field 1 gives PUT_VALUE.
        assertEquals(KadMessage.Type.PUT_VALUE, KadMessage.decode(HexFormat.of().parseHex("1201ab")).type());
    }

    @Test
    void skipsUnknownFields() throws Exception {
        // field 10 (clusterLevelRaw) varint 5, then type PING
        KadMessage d = KadMessage.decode(HexFormat.of().parseHex("50050805"));
        assertEquals(KadMessage.Type.PING, d.type());
        assertNull(d.record());
    }

    @Test
    void publicKeyRecordKeysAreThePeerIdMultihashAsInGoAndJs() throws Exception {
        org.hyphae.transport.testkit.TestIdentity id = org.hyphae.transport.testkit.TestIdentity.fromSeedByte(1);
        byte[] key = PublicKeyValidator.keyFor(id.publicKeyProtobuf());
        // Ed25519: identity multihash, i.e. "/pk/" followed by the peer id's bytes.
        assertEquals("2f706b2f" + HexFormat.of().formatHex(id.peerId().bytes()), HexFormat.of().formatHex(key));
        PublicKeyValidator v = new PublicKeyValidator();
        v.validate(key, id.publicKeyProtobuf());
        assertThrows(org.hyphae.discovery.InvalidRecordException.class,
                () -> v.validate(key, org.hyphae.transport.testkit.TestIdentity.fromSeedByte(2).publicKeyProtobuf()));
        assertThrows(org.hyphae.discovery.InvalidRecordException.class, () -> v.validate(key, new byte[] {1, 2, 3}));
        assertThrows(org.hyphae.discovery.InvalidRecordException.class, () -> v.validate("/ipns/x".getBytes(StandardCharsets.US_ASCII), id.publicKeyProtobuf()));
    }

    @Test
    void refusesMalformedInput() {
        assertThrows(InvalidProtocolBufferException.class, () -> KadMessage.decode(new byte[] {0x12, 0x10, 1}));
        assertThrows(InvalidProtocolBufferException.class, () -> KadMessage.decode(new byte[] {0x08, 0x63}));
        assertThrows(InvalidProtocolBufferException.class, () -> KadMessage.decode(new byte[] {(byte) 0xff, (byte) 0xff}));
    }
}
