package org.hyphae.discovery.kad.internal.memory;

import java.security.SecureRandom;
import java.util.Arrays;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.hyphae.identity.Identity;
import org.hyphae.identity.KeyType;
import org.hyphae.identity.PeerId;

/** An in-memory Ed25519 {@link Identity} for tests, random or from a fixed seed. */
public final class TestIdentity implements Identity {

    private final Ed25519PrivateKeyParameters privateKey;
    private final PeerId.PublicKey publicKey;
    private final PeerId peerId;

    private TestIdentity(byte[] seed) {
        privateKey = new Ed25519PrivateKeyParameters(seed, 0);
        publicKey = new PeerId.PublicKey(KeyType.ED25519, privateKey.generatePublicKey().getEncoded());
        peerId = publicKey.toPeerId();
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
        return peerId;
    }

    @Override
    public byte[] publicKeyProtobuf() {
        return publicKey.encode();
    }

    @Override
    public byte[] sign(byte[] data) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(data, 0, data.length);
        return signer.generateSignature();
    }

    @Override
    public boolean verify(byte[] publicKeyProtobuf, byte[] data, byte[] signature) {
        PeerId.PublicKey key = PeerId.PublicKey.decode(publicKeyProtobuf);
        if (key.type() != KeyType.ED25519) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(key.data(), 0));
        verifier.update(data, 0, data.length);
        return verifier.verifySignature(signature);
    }
}
