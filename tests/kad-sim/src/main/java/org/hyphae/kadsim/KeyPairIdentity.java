package org.hyphae.kadsim;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.identity.internal.Ed25519KeyPair;

/** A simulated node's identity: a fresh Ed25519 key pair held in memory (no key file). */
record KeyPairIdentity(Ed25519KeyPair keys) implements Identity {

    static KeyPairIdentity generate() {
        return new KeyPairIdentity(Ed25519KeyPair.generate());
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
    public boolean verify(byte[] key, byte[] data, byte[] signature) {
        return Ed25519KeyPair.verify(key, data, signature);
    }
}
