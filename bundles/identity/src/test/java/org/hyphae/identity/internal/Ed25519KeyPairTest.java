package org.hyphae.identity.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.hyphae.identity.PeerId;
import org.junit.jupiter.api.Test;

class Ed25519KeyPairTest {
    private static final HexFormat HEX = HexFormat.of();

    /** RFC 8032 section 7.1, TEST 1 (empty message). */
    @Test
    void rfc8032Vector() {
        Ed25519KeyPair pair = Ed25519KeyPair.fromSeed(
                HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                HEX.formatHex(pair.publicKey()));
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                HEX.formatHex(pair.sign(new byte[0])));
    }

    /** The Ed25519 vector of the libp2p peer-ids spec: private key protobuf, public key protobuf. */
    @Test
    void libp2pPeerIdSpecVector() throws Exception {
        Ed25519KeyPair pair = Ed25519KeyPair.fromPrivateKeyProtobuf(HEX.parseHex(
                "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
                        + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));
        assertEquals("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
                HEX.formatHex(pair.publicKeyProtobuf()));
        assertEquals(PeerId.fromPublicKeyProtobuf(pair.publicKeyProtobuf()), pair.peerId());
        assertTrue(pair.peerId().toBase58().startsWith("12D3KooW"));
    }

    @Test
    void protobufRoundTrip() throws Exception {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        Ed25519KeyPair again = Ed25519KeyPair.fromPrivateKeyProtobuf(pair.privateKeyProtobuf());
        assertEquals(pair.peerId(), again.peerId());
        assertArrayEquals(pair.publicKey(), again.publicKey());
        assertEquals(68, pair.privateKeyProtobuf().length);
    }

    @Test
    void signAndVerify() {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        byte[] data = "hello hyphae".getBytes();
        byte[] signature = pair.sign(data);
        assertTrue(Ed25519KeyPair.verify(pair.publicKeyProtobuf(), data, signature));
        signature[10] ^= 1;
        assertFalse(Ed25519KeyPair.verify(pair.publicKeyProtobuf(), data, signature));
        assertFalse(Ed25519KeyPair.verify(pair.publicKeyProtobuf(), data, new byte[12]), "short signature");
        assertFalse(Ed25519KeyPair.verify(Ed25519KeyPair.generate().publicKeyProtobuf(), data, pair.sign(data)),
                "another key");
    }

    /** Keys are decoded once and kept: later verifications with the same key must still judge each signature. */
    @Test
    void keptKeysStillJudgeEverySignatureAndIgnoreTheCallersArray() {
        Ed25519KeyPair alice = Ed25519KeyPair.generate();
        Ed25519KeyPair bob = Ed25519KeyPair.generate();
        byte[] msg = "kept".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] sig = alice.sign(msg);
        byte[] key = alice.publicKeyProtobuf();
        assertTrue(Ed25519KeyPair.verify(key, msg, sig));
        assertTrue(Ed25519KeyPair.verify(key, msg, sig));
        byte[] bad = sig.clone();
        bad[10] ^= 1;
        assertFalse(Ed25519KeyPair.verify(key, msg, bad));
        assertFalse(Ed25519KeyPair.verify(bob.publicKeyProtobuf(), msg, sig));
        // The caller's array turned into bob's key after alice's was kept: bob's key is what counts.
        System.arraycopy(bob.publicKeyProtobuf(), 0, key, 0, key.length);
        assertFalse(Ed25519KeyPair.verify(key, msg, sig));
        assertTrue(Ed25519KeyPair.verify(key, msg, bob.sign(msg)));
        assertTrue(Ed25519KeyPair.verify(alice.publicKeyProtobuf(), msg, sig));
        // More keys than are kept: the map starts again and verification goes on.
        for (int i = 0; i < Ed25519KeyPair.MAX_DECODED_KEYS + 10; i++) {
            Ed25519KeyPair k = Ed25519KeyPair.fromSeed(java.nio.ByteBuffer.allocate(32).putInt(i).array());
            assertTrue(Ed25519KeyPair.verify(k.publicKeyProtobuf(), msg, k.sign(msg)));
        }
        assertTrue(Ed25519KeyPair.verify(alice.publicKeyProtobuf(), msg, sig));
        assertFalse(Ed25519KeyPair.verify(alice.publicKeyProtobuf(), msg, bad));
    }

    @Test
    void verifyRejectsMalformedKey() {
        assertThrows(IllegalArgumentException.class,
                () -> Ed25519KeyPair.verify(new byte[] {1, 2, 3}, new byte[0], new byte[64]));
    }

    @Test
    void rejectsBadPrivateKeys() {
        byte[] good = Ed25519KeyPair.generate().privateKeyProtobuf();

        assertMessage("empty", new byte[0]);
        byte[] truncated = java.util.Arrays.copyOf(good, 40);
        assertMessage("truncated: 40 bytes", truncated);
        byte[] secp256k1 = good.clone();
        secp256k1[1] = 2;
        assertMessage("SECP256K1", secp256k1);
        byte[] notProtobuf = "-----BEGIN PRIVATE KEY-----".getBytes();
        assertMessage("not a libp2p PrivateKey", notProtobuf);
        byte[] corrupt = good.clone();
        corrupt[20] ^= 0x40;
        assertMessage("corrupt", corrupt);
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 3);
        assertMessage("trailing", trailing);
    }

    private static void assertMessage(String expected, byte[] encoded) {
        InvalidKeyException e = assertThrows(InvalidKeyException.class,
                () -> Ed25519KeyPair.fromPrivateKeyProtobuf(encoded));
        assertTrue(e.getMessage().contains(expected), () -> "message \"" + e.getMessage() + "\" lacks " + expected);
    }
}
