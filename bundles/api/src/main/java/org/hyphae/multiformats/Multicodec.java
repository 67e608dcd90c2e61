package org.hyphae.multiformats;

import java.util.Objects;
import java.util.Optional;

/**
 * Entries of the <a href="https://github.com/multiformats/multicodec/blob/master/table.csv">multicodec
 * table</a> that this library names: the hash functions multihashes use and the content types CIDs
 * use. Codes not listed here are still accepted wherever a {@code long} code is taken; this enum only
 * gives them names.
 */
public enum Multicodec {
    /** {@code identity} (0x00): the "hash" that is the data itself. */
    IDENTITY(0x00, "identity"),
    /** {@code cidv1} (0x01): the CID version 1 marker. */
    CIDV1(0x01, "cidv1"),
    /** {@code sha1} (0x11). */
    SHA1(0x11, "sha1"),
    /** {@code sha2-256} (0x12). */
    SHA2_256(0x12, "sha2-256"),
    /** {@code sha2-512} (0x13). */
    SHA2_512(0x13, "sha2-512"),
    /** {@code sha3-256} (0x16). */
    SHA3_256(0x16, "sha3-256"),
    /** {@code cbor} (0x51). */
    CBOR(0x51, "cbor"),
    /** {@code raw} (0x55): raw binary content. */
    RAW(0x55, "raw"),
    /** {@code dag-pb} (0x70): MerkleDAG protobuf, the implicit codec of CIDv0. */
    DAG_PB(0x70, "dag-pb"),
    /** {@code dag-cbor} (0x71). */
    DAG_CBOR(0x71, "dag-cbor"),
    /** {@code libp2p-key} (0x72): a libp2p public key; the codec of peer ids written as CIDs. */
    LIBP2P_KEY(0x72, "libp2p-key"),
    /** {@code dag-json} (0x0129). */
    DAG_JSON(0x0129, "dag-json"),
    /** {@code json} (0x0200). */
    JSON(0x0200, "json"),
    /** {@code blake2b-256} (0xb220). */
    BLAKE2B_256(0xb220, "blake2b-256");

    private final long code;
    private final String codecName;

    Multicodec(long code, String codecName) {
        this.code = code;
        this.codecName = codecName;
    }

    /**
     * Returns the numeric code.
     *
     * @return the code written as a varint in binary formats
     */
    public long code() {
        return code;
    }

    /**
     * Returns the name in the multicodec table, such as {@code "sha2-256"}.
     *
     * @return the table name
     */
    public String codecName() {
        return codecName;
    }

    /**
     * Looks up a code.
     *
     * @param code a multicodec code
     * @return the entry, or empty if this enum does not name that code
     */
    public static Optional<Multicodec> forCode(long code) {
        for (Multicodec m : values()) {
            if (m.code == code) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * Looks up a table name.
     *
     * @param name a name such as {@code "dag-pb"}
     * @return the entry, or empty if this enum does not have that name
     */
    public static Optional<Multicodec> forName(String name) {
        Objects.requireNonNull(name, "name");
        for (Multicodec m : values()) {
            if (m.codecName.equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * Describes a code for messages: its table name and hex value when known, such as
     * {@code "sha2-256 (0x12)"}, otherwise just the hex value.
     *
     * @param code a multicodec code
     * @return a readable description
     */
    public static String describe(long code) {
        String hex = "0x" + Long.toHexString(code);
        return forCode(code).map(m -> m.codecName + " (" + hex + ")").orElse(hex);
    }

    /**
     * Returns the table name.
     *
     * @return {@link #codecName()}
     */
    @Override
    public String toString() {
        return codecName;
    }
}
