package org.hyphae.host.internal.noise;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.bouncycastle.math.ec.rfc7748.X25519;
import org.hyphae.identity.Identity;

/**
 * This node's static Noise key (X25519, BouncyCastle) and the handshake payload that binds it to
 * the node's identity key. One per upgrader: the identity signature is made once, not per
 * connection (the spec allows a static key per process).
 */
public final class NoiseStaticKey {

    /** Prefix of the data the identity key signs: this string then the static Noise public key. */
    public static final byte[] SIGNATURE_PREFIX = "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);

    private final byte[] privateKey;
    private final byte[] publicKey;
    private final byte[] payload;

    private NoiseStaticKey(byte[] privateKey, byte[] publicKey, byte[] payload) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.payload = payload;
    }

    /** A fresh static key, signed by {@code identity}. */
    public static NoiseStaticKey generate(Identity identity, SecureRandom random) {
        byte[] privateKey = new byte[X25519.SCALAR_SIZE];
        byte[] publicKey = new byte[X25519.POINT_SIZE];
        X25519.generatePrivateKey(random, privateKey);
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
        byte[] signature = identity.sign(signedData(publicKey));
        return new NoiseStaticKey(privateKey, publicKey,
                new NoiseHandshakePayload(identity.publicKeyProtobuf(), signature, java.util.List.of()).encode());
    }

    /** The same key sending another payload (tests of forged identities). */
    NoiseStaticKey withPayload(byte[] otherPayload) {
        return new NoiseStaticKey(privateKey, publicKey, otherPayload);
    }

    /** What an identity key signs to vouch for a static key. */
    public static byte[] signedData(byte[] staticPublicKey) {
        byte[] data = new byte[SIGNATURE_PREFIX.length + staticPublicKey.length];
        System.arraycopy(SIGNATURE_PREFIX, 0, data, 0, SIGNATURE_PREFIX.length);
        System.arraycopy(staticPublicKey, 0, data, SIGNATURE_PREFIX.length, staticPublicKey.length);
        return data;
    }

    byte[] privateKey() {
        return privateKey;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    byte[] publicKeyUnsafe() {
        return publicKey;
    }

    /** The encoded handshake payload (identity key and signature). */
    byte[] payload() {
        return payload;
    }
}
