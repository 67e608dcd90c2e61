package org.hyphae.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** A 32-byte SHA-256 digest: the id of a block, a transaction or a state. Immutable. */
public final class Hash implements Comparable<Hash> {

    /** Length of a hash in bytes. */
    public static final int LENGTH = 32;

    /** The all-zero hash: the parent of the genesis block. */
    public static final Hash ZERO = new Hash(new byte[LENGTH]);

    private final byte[] bytes;

    private Hash(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps 32 bytes.
     *
     * @param bytes the digest; copied
     * @return the hash
     * @throws IllegalArgumentException if there are not exactly 32 bytes
     */
    public static Hash of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a hash is " + LENGTH + " bytes, got " + bytes.length);
        }
        return new Hash(bytes.clone());
    }

    /**
     * Hashes data with SHA-256.
     *
     * @param data the data
     * @return its digest
     */
    public static Hash sha256(byte[] data) {
        return new Hash(digest().digest(data));
    }

    /**
     * Hashes the concatenation of several byte arrays with SHA-256.
     *
     * @param parts the data, in order
     * @return the digest of their concatenation
     */
    public static Hash sha256(byte[]... parts) {
        MessageDigest md = digest();
        for (byte[] p : parts) {
            md.update(p);
        }
        return new Hash(md.digest());
    }

    /**
     * Parses 64 hex digits.
     *
     * @param hex the hash in hex, upper or lower case, optionally prefixed with {@code 0x}
     * @return the hash
     * @throws IllegalArgumentException if the text is not 64 hex digits
     */
    public static Hash parse(String hex) {
        String h = hex.startsWith("0x") ? hex.substring(2) : hex;
        if (h.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a hash is " + 2 * LENGTH + " hex digits, got " + h.length() + ": " + hex);
        }
        try {
            return new Hash(HexFormat.of().parseHex(h));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a hex hash: " + hex, e);
        }
    }

    /**
     * Returns the digest.
     *
     * @return a copy of the 32 bytes
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Returns the digest in hex.
     *
     * @return 64 lower-case hex digits
     */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * A short form for logs.
     *
     * @return the first 12 hex digits
     */
    public String shortHex() {
        return toHex().substring(0, 12);
    }

    /**
     * Orders hashes as unsigned bytes.
     *
     * @param o another hash
     * @return the unsigned lexicographic comparison
     */
    @Override
    public int compareTo(Hash o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /**
     * Compares digests.
     *
     * @param o another object
     * @return whether {@code o} is a hash with the same bytes
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Hash && Arrays.equals(bytes, ((Hash) o).bytes);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /**
     * Returns the hex form.
     *
     * @return {@link #toHex()}
     */
    @Override
    public String toString() {
        return toHex();
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
