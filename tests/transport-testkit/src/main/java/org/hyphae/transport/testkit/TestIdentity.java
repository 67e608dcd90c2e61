package org.hyphae.transport.testkit;

import java.security.SecureRandom;
import java.util.Arrays;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.identity.internal.Ed25519KeyPair;

/**
 * An in-memory Ed25519 {@link Identity} for tests, random or from a fixed seed. It signs and
 * verifies with the node's own key code (the identity bundle's {@link Ed25519KeyPair}), so tests
 * and benchmarks run what a node runs.
 */
public final class TestIdentity implements Identity {

    private final Ed25519KeyPair keys;

    private TestIdentity(byte[] seed) {
        keys = Ed25519KeyPair.fromSeed(seed);
    }

    /** A new random identity. */
    public static TestIdentity random() {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return new TestIdentity(seed);
    }

    /** The identity whose 32-byte private seed is all {@code b}. */
    public static TestIdentity fromSeedByte(int b) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) b);
        return new TestIdentity(seed);
    }

    @Override
    public PeerId peerId() {
        return keys.peerId();
    }

    @Override
    public byte[] publicKeyProtobuf() {
        return keys.publicKeyProtobuf();
    }

    @Override
    public byte[] sign(byte[] data) {
        return keys.sign(data);
    }

    @Override
    public boolean verify(byte[] publicKeyProtobuf, byte[] data, byte[] signature) {
        return Ed25519KeyPair.verify(publicKeyProtobuf, data, signature);
    }

    @Override
    public String signatureVerifier() {
        return Ed25519KeyPair.verifier();
    }
}
