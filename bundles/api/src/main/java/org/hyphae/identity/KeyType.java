package org.hyphae.identity;

/**
 * The key types of the libp2p {@code KeyType} protobuf enum, with their protobuf numbers, as the
 * <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md">peer-ids spec</a>
 * defines them.
 */
public enum KeyType {
    /** RSA; {@code Data} is the DER-encoded PKIX public key. Number 0. */
    RSA(0),
    /** Ed25519; {@code Data} is the raw 32-byte public key. Number 1. */
    ED25519(1),
    /** Secp256k1; {@code Data} is the bitcoin-style EC public key. Number 2. */
    SECP256K1(2),
    /** ECDSA; {@code Data} is the DER-encoded public key. Number 3. */
    ECDSA(3);

    private final int number;

    KeyType(int number) {
        this.number = number;
    }

    /**
     * Returns the protobuf enum number.
     *
     * @return 0 to 3
     */
    public int number() {
        return number;
    }

    /**
     * Looks up a protobuf enum number.
     *
     * @param number the number written in the {@code Type} field
     * @return the key type
     * @throws IllegalArgumentException if the number is not a known key type
     */
    public static KeyType forNumber(int number) {
        for (KeyType t : values()) {
            if (t.number == number) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown libp2p key type " + number + " (known: 0 RSA, 1 Ed25519, 2 Secp256k1, 3 ECDSA)");
    }
}
