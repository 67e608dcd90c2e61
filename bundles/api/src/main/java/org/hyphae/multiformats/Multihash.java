package org.hyphae.multiformats;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A <a href="https://github.com/multiformats/multihash">multihash</a>: a hash function code and a
 * digest, encoded as {@code varint(code) varint(digest length) digest}. Immutable.
 *
 * <p>Digests of any length are accepted for any code, as the spec allows truncated digests; only
 * {@link #matches(byte[])} needs to know the function.
 */
public final class Multihash implements Comparable<Multihash> {

    private final long code;
    private final byte[] digest;
    private final byte[] bytes;
    /** Computed once: multihashes (as peer ids) are the keys of the ledger's and the DHT's hot maps. */
    private final int hash;

    private Multihash(long code, byte[] digest) {
        this.code = code;
        this.digest = digest;
        byte[] out = new byte[Varint.encodedLength(code) + Varint.encodedLength(digest.length) + digest.length];
        int pos = Varint.encodeInto(code, out, 0);
        pos += Varint.encodeInto(digest.length, out, pos);
        System.arraycopy(digest, 0, out, pos, digest.length);
        this.bytes = out;
        this.hash = Arrays.hashCode(out);
    }

    /**
     * Creates a multihash from a code and a digest that was already computed.
     *
     * @param code the hash function's multicodec code, such as {@code 0x12} for sha2-256
     * @param digest the digest; copied
     * @return the multihash
     * @throws IllegalArgumentException if {@code code} is negative
     */
    public static Multihash of(long code, byte[] digest) {
        if (code < 0) {
            throw new IllegalArgumentException("multihash code must be non-negative, got " + code);
        }
        return new Multihash(code, digest.clone());
    }

    /**
     * Hashes data with SHA-256.
     *
     * @param data the data to hash
     * @return the sha2-256 multihash (code 0x12, 32-byte digest)
     */
    public static Multihash sha2_256(byte[] data) {
        Objects.requireNonNull(data, "data");
        return new Multihash(Multicodec.SHA2_256.code(), sha256().digest(data));
    }

    /**
     * Wraps data in an identity multihash, whose digest is the data itself.
     *
     * @param data the data; copied
     * @return the identity multihash (code 0x00)
     */
    public static Multihash identity(byte[] data) {
        return new Multihash(Multicodec.IDENTITY.code(), data.clone());
    }

    /**
     * Decodes a multihash that fills the whole array.
     *
     * @param bytes the encoded multihash
     * @return the multihash
     * @throws IllegalArgumentException if the bytes are not exactly one well-formed multihash
     */
    public static Multihash decode(byte[] bytes) {
        Multihash mh = decode(bytes, 0);
        if (mh.bytes.length != bytes.length) {
            throw new IllegalArgumentException(
                    (bytes.length - mh.bytes.length) + " trailing byte(s) after the multihash at offset "
                            + mh.bytes.length);
        }
        return mh;
    }

    /**
     * Decodes the multihash that starts at {@code offset}; bytes after it are ignored. The number of
     * bytes it took is {@link #encodedLength()} of the result.
     *
     * @param buf the input
     * @param offset where the multihash starts
     * @return the multihash
     * @throws IllegalArgumentException if there is no well-formed multihash at {@code offset}; the
     *     message says what is wrong and where
     * @throws IndexOutOfBoundsException if {@code offset} is outside {@code buf}
     */
    public static Multihash decode(byte[] buf, int offset) {
        Objects.checkIndex(offset, buf.length + 1);
        if (offset == buf.length) {
            throw new IllegalArgumentException("empty multihash at offset " + offset);
        }
        Varint.Decoded code;
        Varint.Decoded length;
        try {
            code = Varint.decodeWithLength(buf, offset);
            length = Varint.decodeWithLength(buf, offset + code.length());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed multihash header: " + e.getMessage(), e);
        }
        int digestStart = offset + code.length() + length.length();
        long remaining = buf.length - digestStart;
        if (length.value() > remaining) {
            throw new IllegalArgumentException(
                    "truncated multihash at offset " + offset + ": digest length " + length.value()
                            + " but only " + remaining + " byte(s) follow");
        }
        byte[] digest = Arrays.copyOfRange(buf, digestStart, digestStart + (int) length.value());
        return new Multihash(code.value(), digest);
    }

    /**
     * Decodes a multihash written in base58btc without a multibase prefix, the way IPFS prints
     * them ({@code "Qm..."}).
     *
     * @param base58 the text
     * @return the multihash
     * @throws IllegalArgumentException if the text is not base58btc or not exactly one multihash
     */
    public static Multihash fromBase58(String base58) {
        return decode(Multibase.BASE58BTC.decodeRaw(base58));
    }

    /**
     * Returns the hash function's code.
     *
     * @return the multicodec code
     */
    public long code() {
        return code;
    }

    /**
     * Returns the digest.
     *
     * @return a copy of the digest
     */
    public byte[] digest() {
        return digest.clone();
    }

    /**
     * Returns the digest length.
     *
     * @return the number of digest bytes
     */
    public int digestLength() {
        return digest.length;
    }

    /**
     * Returns the binary form.
     *
     * @return a copy of {@code varint(code) varint(length) digest}
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Returns the length of the binary form.
     *
     * @return the number of bytes {@link #bytes()} returns
     */
    public int encodedLength() {
        return bytes.length;
    }

    /**
     * Checks whether this multihash is the hash of some data: for sha2-256 the SHA-256 of the data
     * is compared with the digest (a truncated digest is compared with the same prefix of the
     * hash), for identity the data must equal the digest.
     *
     * @param data the data to check
     * @return whether the data hashes to this multihash
     * @throws UnsupportedOperationException if the hash function is neither sha2-256 nor identity;
     *     the message names it
     */
    public boolean matches(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (code == Multicodec.IDENTITY.code()) {
            return MessageDigest.isEqual(digest, data);
        }
        if (code == Multicodec.SHA2_256.code()) {
            if (digest.length > 32) {
                return false;
            }
            byte[] full = sha256().digest(data);
            return MessageDigest.isEqual(digest, Arrays.copyOf(full, digest.length));
        }
        throw new UnsupportedOperationException(
                "cannot verify multihash with hash function " + Multicodec.describe(code));
    }

    /**
     * Compares the code and the digest.
     *
     * @param o another object
     * @return whether {@code o} is a multihash with the same code and digest
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Multihash && Arrays.equals(bytes, ((Multihash) o).bytes);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * Orders multihashes by their binary forms, byte by byte as unsigned values (a shorter prefix
     * first), without copying them.
     *
     * @param o another multihash
     * @return negative, zero or positive as this one's binary form sorts before, with or after {@code o}'s
     */
    @Override
    public int compareTo(Multihash o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /**
     * Returns the binary form in base58btc without a multibase prefix, as IPFS shows multihashes.
     *
     * @return for example {@code "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"}
     */
    @Override
    public String toString() {
        return Multibase.BASE58BTC.encodeRaw(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
