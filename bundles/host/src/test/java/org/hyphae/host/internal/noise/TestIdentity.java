package org.hyphae.host.internal.noise;

import java.security.SecureRandom;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.hyphae.identity.Identity;
import org.hyphae.identity.KeyType;
import org.hyphae.identity.PeerId;

/** A throw-away Ed25519 {@link Identity} for tests (BouncyCastle, as the identity bundle). */
public final class TestIdentity implements Identity {

    private final Ed25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;
    private final PeerId peerId;

    public TestIdentity() {
        privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
        publicKey = privateKey.generatePublicKey().getEncoded();
        peerId = PeerId.fromEd25519PublicKey(publicKey);
    }

    @Override
    public PeerId peerId() {
        return peerId;
    }

    @Override
    public byte[] publicKeyProtobuf() {
        return new PeerId.PublicKey(KeyType.ED25519, publicKey).encode();
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
