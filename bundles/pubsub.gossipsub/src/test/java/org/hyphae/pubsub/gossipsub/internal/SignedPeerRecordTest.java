package org.hyphae.pubsub.gossipsub.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.google.protobuf.CodedOutputStream;

import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.transport.Multiaddr;
import org.junit.jupiter.api.Test;

/** Peer exchange addresses: signed peer records (RFC 0002/0003) are checked before use. */
class SignedPeerRecordTest {

    private static final byte[] PAYLOAD_TYPE = {(byte) 0x81, 0x06};

    @Test
    void readsTheAddressesOfAValidRecordOnly() throws IOException {
        TestIdentity peer = TestIdentity.fromSeedByte(1);
        TestIdentity other = TestIdentity.fromSeedByte(2);
        Multiaddr a = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001");
        byte[] good = envelope(peer, peer, List.of(a), false);
        assertEquals(List.of(a), SignedPeerRecord.addresses(good, peer.peerId(), peer));
        assertTrue(SignedPeerRecord.addresses(good, other.peerId(), peer).isEmpty(), "offered for another peer");
        assertTrue(SignedPeerRecord.addresses(envelope(peer, other, List.of(a), false), peer.peerId(), peer).isEmpty(),
                "signed by another key");
        assertTrue(SignedPeerRecord.addresses(envelope(peer, peer, List.of(a), true), peer.peerId(), peer).isEmpty(),
                "tampered signature");
        assertTrue(SignedPeerRecord.addresses(new byte[] {1, 2, 3}, peer.peerId(), peer).isEmpty(), "garbage");
    }

    /** An envelope for {@code subject}'s record, signed by {@code signer}. */
    private static byte[] envelope(TestIdentity subject, TestIdentity signer, List<Multiaddr> addrs, boolean tamper)
            throws IOException {
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        CodedOutputStream r = CodedOutputStream.newInstance(rec);
        r.writeByteArray(1, subject.peerId().bytes());
        r.writeUInt64(2, 1);
        for (Multiaddr m : addrs) {
            ByteArrayOutputStream ai = new ByteArrayOutputStream();
            CodedOutputStream x = CodedOutputStream.newInstance(ai);
            x.writeByteArray(1, m.bytes());
            x.flush();
            r.writeByteArray(3, ai.toByteArray());
        }
        r.flush();
        byte[] payload = rec.toByteArray();
        ByteArrayOutputStream signed = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(signed);
        for (byte[] part : new byte[][] {"libp2p-peer-record".getBytes(StandardCharsets.UTF_8), PAYLOAD_TYPE, payload}) {
            s.writeUInt32NoTag(part.length);
            s.writeRawBytes(part);
        }
        s.flush();
        byte[] sig = signer.sign(signed.toByteArray());
        if (tamper) {
            sig[0] ^= 1;
        }
        ByteArrayOutputStream env = new ByteArrayOutputStream();
        CodedOutputStream e = CodedOutputStream.newInstance(env);
        e.writeByteArray(1, signer.publicKeyProtobuf());
        e.writeByteArray(2, PAYLOAD_TYPE);
        e.writeByteArray(3, payload);
        e.writeByteArray(5, sig);
        e.flush();
        return env.toByteArray();
    }
}
