package org.hyphae.identity;

import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's long-lived identity: an Ed25519 key pair whose public half is the {@link PeerId}.
 * The private key never leaves the implementation.
 */
@ProviderType
public interface Identity {

    /** The peer id derived from this node's public key. */
    PeerId peerId();

    /** This node's public key as the libp2p {@code PublicKey} protobuf (deterministic encoding). */
    byte[] publicKeyProtobuf();

    /**
     * Signs {@code data} with this node's private key.
     *
     * @return the 64-byte Ed25519 signature
     */
    byte[] sign(byte[] data);

    /**
     * Verifies a signature made by any peer.
     *
     * @param publicKeyProtobuf the signer's key as the libp2p {@code PublicKey} protobuf
     * @return true only if the key is a supported type and the signature is valid for {@code data}
     * @throws IllegalArgumentException if the key bytes are not a well-formed {@code PublicKey}
     */
    boolean verify(byte[] publicKeyProtobuf, byte[] data, byte[] signature);

    /**
     * Which code checks signatures in {@link #verify}, for operators ({@code hyphae:id} shows it):
     * one line naming the library and, where a faster one is not used, why. The verdicts do not
     * depend on it.
     *
     * @return a one-line description, never empty
     * @since 0.2
     */
    default String signatureVerifier() {
        return "not reported by this implementation";
    }
}
