package org.hyphae.discovery.peerstore.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

/** Records survive encoding; damaged ones are refused with a reason. */
class PeerRecordCodecTest {

    private static PeerEntry sample(PeerId p) {
        PeerEntry e = new PeerEntry(p, 1000);
        PeerEntry.Address a = new PeerEntry.Address(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001"), 2000, 9000);
        a.sources.add("mdns");
        a.sources.add("identify");
        e.addresses.put(a.address, a);
        e.protocols = Set.of("/ipfs/id/1.0.0", "/ipfs/kad/1.0.0");
        e.agentVersion = "js-libp2p/3.3.11";
        e.latencyNanos = 1_500_000;
        e.score = -2.5;
        e.scoreAt = 3000;
        e.lastSeen = 4000;
        e.lastConnected = 3500;
        return e;
    }

    @Test
    void roundTrips() throws Exception {
        PeerId p = TestIdentity.random().peerId();
        PeerEntry back = PeerRecordCodec.decode(p, PeerRecordCodec.encode(sample(p)));
        assertEquals(p, back.peer);
        PeerEntry.Address a = back.addresses.get(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001"));
        assertEquals(Set.of("mdns", "identify"), a.sources);
        assertEquals(2000, a.lastSeen);
        assertEquals(9000, a.expires);
        assertEquals(Set.of("/ipfs/id/1.0.0", "/ipfs/kad/1.0.0"), back.protocols);
        assertEquals("js-libp2p/3.3.11", back.agentVersion);
        assertEquals(1_500_000, back.latencyNanos);
        assertEquals(-2.5, back.score);
        assertEquals(3000, back.scoreAt);
        assertEquals(1000, back.firstSeen);
        assertEquals(4000, back.lastSeen);
        assertEquals(3500, back.lastConnected);
        assertArrayEquals(p.publicKeyProtobuf().orElseThrow(), back.publicKey);
    }

    @Test
    void refusesDamage() {
        PeerId p = TestIdentity.random().peerId();
        byte[] good = PeerRecordCodec.encode(sample(p));
        assertReason("empty", () -> PeerRecordCodec.decode(p, new byte[0]));
        byte[] version = good.clone();
        version[0] = 9;
        assertReason("version 9", () -> PeerRecordCodec.decode(p, version));
        assertReason("", () -> PeerRecordCodec.decode(p, Arrays.copyOf(good, good.length / 2)));
        PeerId other = TestIdentity.random().peerId();
        assertReason("stored under the key of", () -> PeerRecordCodec.decode(other, good));
        byte[] garbage = new byte[64];
        garbage[0] = PeerRecordCodec.VERSION;
        Arrays.fill(garbage, 1, 64, (byte) 0xff);
        assertReason("", () -> PeerRecordCodec.decode(p, garbage));
        // A key that is not the peer's.
        PeerEntry forged = sample(p);
        forged.publicKey = TestIdentity.random().publicKeyProtobuf();
        assertReason("public key belongs to", () -> PeerRecordCodec.decode(p, PeerRecordCodec.encode(forged)));
        PeerEntry nan = sample(p);
        nan.score = Double.NaN;
        assertReason("score NaN", () -> PeerRecordCodec.decode(p, PeerRecordCodec.encode(nan)));
    }

    private interface Decode {
        Object run() throws Exception;
    }

    private static void assertReason(String part, Decode d) {
        PeerRecordCodec.CorruptRecordException e = assertThrows(PeerRecordCodec.CorruptRecordException.class, d::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
