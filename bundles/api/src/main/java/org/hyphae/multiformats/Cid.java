package org.hyphae.multiformats;

import java.util.Objects;

/**
 * A <a href="https://github.com/multiformats/cid">CID</a> (content identifier): a version, a content
 * type (multicodec) and a multihash. Immutable.
 *
 * <ul>
 *   <li>CIDv0 is a bare sha2-256 multihash with a 32-byte digest; its codec is implicitly
 *       {@code dag-pb} and its text form is base58btc without a multibase prefix ({@code "Qm..."}).
 *   <li>CIDv1 is {@code varint(1) varint(codec) multihash} in binary and any multibase in text,
 *       base32 ({@code "b..."}) by default.
 * </ul>
 *
 * <p>Two CIDs are equal when version, codec and multihash are equal; a CIDv0 therefore never equals
 * its {@link #toV1() CIDv1 form}.
 */
public final class Cid {

    private static final int V0_STRING_LENGTH = 46;
    private static final int V0_BINARY_LENGTH = 34;

    private final int version;
    private final long codec;
    private final Multihash multihash;

    private Cid(int version, long codec, Multihash multihash) {
        this.version = version;
        this.codec = codec;
        this.multihash = multihash;
    }

    /**
     * Creates a CIDv0.
     *
     * @param multihash a sha2-256 multihash with a 32-byte digest
     * @return the CID (codec dag-pb)
     * @throws IllegalArgumentException if the multihash is not sha2-256 with 32 bytes
     */
    public static Cid v0(Multihash multihash) {
        Objects.requireNonNull(multihash, "multihash");
        if (multihash.code() != Multicodec.SHA2_256.code() || multihash.digestLength() != 32) {
            throw new IllegalArgumentException(
                    "CIDv0 requires a sha2-256 multihash with a 32-byte digest, got "
                            + Multicodec.describe(multihash.code()) + " with " + multihash.digestLength()
                            + " byte(s)");
        }
        return new Cid(0, Multicodec.DAG_PB.code(), multihash);
    }

    /**
     * Creates a CIDv1.
     *
     * @param codec the content type's multicodec code
     * @param multihash the content's multihash
     * @return the CID
     * @throws IllegalArgumentException if {@code codec} is negative
     */
    public static Cid v1(long codec, Multihash multihash) {
        Objects.requireNonNull(multihash, "multihash");
        if (codec < 0) {
            throw new IllegalArgumentException("CID codec must be non-negative, got " + codec);
        }
        return new Cid(1, codec, multihash);
    }

    /**
     * Creates a CIDv1.
     *
     * @param codec the content type
     * @param multihash the content's multihash
     * @return the CID
     */
    public static Cid v1(Multicodec codec, Multihash multihash) {
        return v1(codec.code(), multihash);
    }

    /**
     * Parses the text form: a 46-character {@code "Qm..."} string is a CIDv0 in base58btc, anything
     * else must be a CIDv1 in a supported multibase.
     *
     * @param text the CID string
     * @return the CID
     * @throws IllegalArgumentException if the text is not a valid CID; the message says why
     */
    public static Cid parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() == V0_STRING_LENGTH && text.startsWith("Qm")) {
            byte[] raw;
            try {
                raw = Multibase.BASE58BTC.decodeRaw(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid CIDv0 \"" + text + "\": " + e.getMessage(), e);
            }
            return decodeOrExplain(raw, text);
        }
        byte[] raw;
        try {
            raw = Multibase.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CID \"" + text + "\": " + e.getMessage(), e);
        }
        if (raw.length > 0 && raw[0] == 0x12) {
            throw new IllegalArgumentException(
                    "invalid CID \"" + text + "\": a CIDv0 must not be multibase-encoded (decoded bytes start with 0x12)");
        }
        return decodeOrExplain(raw, text);
    }

    private static Cid decodeOrExplain(byte[] raw, String text) {
        try {
            return decode(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CID \"" + text + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes the binary form: 34 bytes starting {@code 0x12 0x20} are a CIDv0, anything else must
     * be {@code varint(1) varint(codec) multihash} with nothing after the multihash.
     *
     * @param bytes the binary CID
     * @return the CID
     * @throws IllegalArgumentException if the bytes are not a valid CID; versions 2 and 3 are
     *     reported as reserved
     */
    public static Cid decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty CID");
        }
        if (bytes.length == V0_BINARY_LENGTH && bytes[0] == 0x12 && bytes[1] == 0x20) {
            return v0(Multihash.decode(bytes));
        }
        Varint.Decoded version = Varint.decodeWithLength(bytes, 0);
        if (version.value() != 1) {
            if (version.value() == 2 || version.value() == 3) {
                throw new IllegalArgumentException("reserved CID version " + version.value());
            }
            throw new IllegalArgumentException(
                    "malformed CID: version " + version.value() + " (" + Multicodec.describe(version.value())
                            + ") is not 1");
        }
        if (bytes.length == version.length()) {
            throw new IllegalArgumentException("truncated CIDv1: no codec after the version");
        }
        Varint.Decoded codec = Varint.decodeWithLength(bytes, version.length());
        int mhStart = version.length() + codec.length();
        if (mhStart == bytes.length) {
            throw new IllegalArgumentException("truncated CIDv1: no multihash after the codec");
        }
        Multihash mh = Multihash.decode(bytes, mhStart);
        if (mhStart + mh.encodedLength() != bytes.length) {
            throw new IllegalArgumentException(
                    (bytes.length - mhStart - mh.encodedLength()) + " trailing byte(s) after the CID's multihash at offset "
                            + (mhStart + mh.encodedLength()));
        }
        return new Cid(1, codec.value(), mh);
    }

    /**
     * Returns the version.
     *
     * @return 0 or 1
     */
    public int version() {
        return version;
    }

    /**
     * Returns the content type's multicodec code ({@code 0x70} dag-pb for every CIDv0).
     *
     * @return the codec
     */
    public long codec() {
        return codec;
    }

    /**
     * Returns the multihash.
     *
     * @return the content's multihash
     */
    public Multihash multihash() {
        return multihash;
    }

    /**
     * Returns the binary form.
     *
     * @return for CIDv0 the multihash bytes, for CIDv1 {@code varint(1) varint(codec) multihash}
     */
    public byte[] bytes() {
        if (version == 0) {
            return multihash.bytes();
        }
        byte[] mh = multihash.bytes();
        byte[] out = new byte[1 + Varint.encodedLength(codec) + mh.length];
        int pos = Varint.encodeInto(1, out, 0);
        pos += Varint.encodeInto(codec, out, pos);
        System.arraycopy(mh, 0, out, pos, mh.length);
        return out;
    }

    /**
     * Returns the CIDv1 with the same codec and multihash.
     *
     * @return this CID if it is version 1, otherwise the dag-pb CIDv1 of the same multihash
     */
    public Cid toV1() {
        return version == 1 ? this : new Cid(1, codec, multihash);
    }

    /**
     * Returns the text form in a given multibase.
     *
     * @param base the encoding; for a CIDv0 only {@link Multibase#BASE58BTC}, which yields the
     *     unprefixed {@code "Qm..."} form
     * @return the text form
     * @throws IllegalStateException if this is a CIDv0 and {@code base} is not base58btc
     */
    public String toString(Multibase base) {
        Objects.requireNonNull(base, "base");
        if (version == 0) {
            if (base != Multibase.BASE58BTC) {
                throw new IllegalStateException(
                        "a CIDv0 can only be written in base58btc, not " + base.encodingName()
                                + "; convert it with toV1() first");
            }
            return Multibase.BASE58BTC.encodeRaw(multihash.bytes());
        }
        return base.encode(bytes());
    }

    /**
     * Returns the canonical text form.
     *
     * @return base58btc without prefix for a CIDv0 ({@code "Qm..."}), base32 for a CIDv1
     *     ({@code "b..."})
     */
    @Override
    public String toString() {
        return toString(version == 0 ? Multibase.BASE58BTC : Multibase.BASE32);
    }

    /**
     * Compares version, codec and multihash.
     *
     * @param o another object
     * @return whether {@code o} is an equal CID
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Cid)) {
            return false;
        }
        Cid other = (Cid) o;
        return version == other.version && codec == other.codec && multihash.equals(other.multihash);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(version, codec, multihash);
    }
}
