package org.hyphae.identity;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multibase;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.multiformats.Varint;

/**
 * A libp2p peer id: the multihash of a peer's public key, derived exactly as the
 * <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md">peer-ids spec</a>
 * says. The key is serialized as the {@code PublicKey} protobuf ({@code Type} = field 1,
 * {@code Data} = field 2) in the spec's deterministic encoding; a serialization of at most
 * {@value #MAX_INLINE_KEY_LENGTH} bytes is wrapped in an identity multihash (so the key can be read
 * back from the id, as for every Ed25519 key), a longer one is hashed with sha2-256. Immutable.
 *
 * <p>Text forms: the legacy and default form is the multihash in base58btc ({@code "12D3KooW..."}
 * for Ed25519, {@code "Qm..."} for hashed keys); the newer form is a CIDv1 with the
 * {@code libp2p-key} codec in any multibase ({@code "bafz..."} in base32). {@link #parse(String)}
 * accepts both.
 */
public final class PeerId implements Comparable<PeerId> {

    /** Longest {@code PublicKey} serialization that is inlined in an identity multihash. */
    public static final int MAX_INLINE_KEY_LENGTH = 42;

    private static final int ED25519_KEY_LENGTH = 32;
    private static final int TAG_TYPE = 0x08;
    private static final int TAG_DATA = 0x12;

    /**
     * A libp2p {@code PublicKey} protobuf message: a key type and the key bytes in that type's
     * encoding. Immutable: the data is copied in and out.
     *
     * @param type the key type
     * @param data the encoded key (for Ed25519 the raw 32-byte key)
     */
    public record PublicKey(KeyType type, byte[] data) {

        /**
         * Checks and copies the components.
         *
         * @throws IllegalArgumentException if the data is empty or an Ed25519 key is not 32 bytes
         */
        public PublicKey {
            Objects.requireNonNull(type, "type");
            data = data.clone();
            if (data.length == 0) {
                throw new IllegalArgumentException("empty " + type + " public key data");
            }
            if (type == KeyType.ED25519 && data.length != ED25519_KEY_LENGTH) {
                throw new IllegalArgumentException(
                        "Ed25519 public key must be 32 bytes, got " + data.length);
            }
        }

        /**
         * Returns the key bytes.
         *
         * @return a copy of the key bytes
         */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /**
         * Parses a {@code PublicKey} protobuf, accepting only the deterministic encoding: field 1
         * (varint key type), then field 2 (length-delimited data), minimal varints, nothing else.
         *
         * @param protobuf the serialized message
         * @return the key
         * @throws IllegalArgumentException if the bytes are not that encoding, the key type is unknown,
         *     or the key data is invalid for its type; the message says what and where
         */
        public static PublicKey decode(byte[] protobuf) {
            Objects.requireNonNull(protobuf, "protobuf");
            try {
                return parse(protobuf);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid libp2p PublicKey protobuf: " + e.getMessage(), e);
            }
        }

        private static PublicKey parse(byte[] p) {
            if (p.length == 0) {
                throw new IllegalArgumentException("empty input");
            }
            if ((p[0] & 0xFF) != TAG_TYPE) {
                throw new IllegalArgumentException(String.format(
                        "expected field 1 (Type) tag 0x08 at offset 0, got 0x%02x", p[0] & 0xFF));
            }
            Varint.Decoded type = Varint.decodeWithLength(p, 1);
            if (type.value() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("unknown libp2p key type " + type.value());
            }
            KeyType keyType = KeyType.forNumber((int) type.value());
            int pos = 1 + type.length();
            if (pos >= p.length) {
                throw new IllegalArgumentException("missing field 2 (Data) at offset " + pos);
            }
            if ((p[pos] & 0xFF) != TAG_DATA) {
                throw new IllegalArgumentException(String.format(
                        "expected field 2 (Data) tag 0x12 at offset %d, got 0x%02x", pos, p[pos] & 0xFF));
            }
            pos++;
            Varint.Decoded length = Varint.decodeWithLength(p, pos);
            pos += length.length();
            long remaining = p.length - pos;
            if (length.value() > remaining) {
                throw new IllegalArgumentException("truncated Data: length " + length.value() + " but only "
                        + remaining + " byte(s) follow at offset " + pos);
            }
            if (length.value() < remaining) {
                throw new IllegalArgumentException((remaining - length.value())
                        + " unexpected byte(s) after the Data field at offset " + (pos + length.value()));
            }
            return new PublicKey(keyType, Arrays.copyOfRange(p, pos, p.length));
        }

        /**
         * Serializes the message in the deterministic encoding.
         *
         * @return {@code 0x08 varint(type) 0x12 varint(length) data}
         */
        public byte[] encode() {
            int typeLength = Varint.encodedLength(type.number());
            int lengthLength = Varint.encodedLength(data.length);
            byte[] out = new byte[2 + typeLength + lengthLength + data.length];
            out[0] = TAG_TYPE;
            int pos = 1 + Varint.encodeInto(type.number(), out, 1);
            out[pos++] = TAG_DATA;
            pos += Varint.encodeInto(data.length, out, pos);
            System.arraycopy(data, 0, out, pos, data.length);
            return out;
        }

        /**
         * Derives the peer id of this key.
         *
         * @return the peer id
         */
        public PeerId toPeerId() {
            byte[] proto = encode();
            if (proto.length <= MAX_INLINE_KEY_LENGTH) {
                return new PeerId(Multihash.identity(proto), this);
            }
            return new PeerId(Multihash.sha2_256(proto), null);
        }

        /**
         * Compares type and key bytes.
         *
         * @param o another object
         * @return whether {@code o} is the same key
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof PublicKey && type == ((PublicKey) o).type
                    && Arrays.equals(data, ((PublicKey) o).data);
        }

        /**
         * Returns a hash code consistent with {@link #equals(Object)}.
         *
         * @return the hash code
         */
        @Override
        public int hashCode() {
            return 31 * type.hashCode() + Arrays.hashCode(data);
        }

        /**
         * Describes the key.
         *
         * @return the type and the key bytes in hex
         */
        @Override
        public String toString() {
            return "PublicKey[" + type + ", " + Multibase.BASE16.encodeRaw(data) + "]";
        }
    }

    private final Multihash multihash;
    private final PublicKey publicKey;

    private PeerId(Multihash multihash, PublicKey publicKey) {
        this.multihash = multihash;
        this.publicKey = publicKey;
    }

    /**
     * Derives the peer id of a public key.
     *
     * @param type the key type
     * @param keyData the key in the encoding the spec gives for that type (raw 32 bytes for Ed25519,
     *     DER PKIX for RSA, ...)
     * @return the peer id
     * @throws IllegalArgumentException if the data is empty or an Ed25519 key is not 32 bytes
     */
    public static PeerId fromPublicKey(KeyType type, byte[] keyData) {
        return new PublicKey(type, keyData).toPeerId();
    }

    /**
     * Derives the peer id of an Ed25519 public key.
     *
     * @param raw32 the raw 32-byte Ed25519 public key
     * @return the peer id, an identity multihash ({@code "12D3KooW..."})
     * @throws IllegalArgumentException if the key is not 32 bytes
     */
    public static PeerId fromEd25519PublicKey(byte[] raw32) {
        return fromPublicKey(KeyType.ED25519, raw32);
    }

    /**
     * Derives the peer id of a serialized {@code PublicKey} protobuf.
     *
     * @param proto the protobuf in the deterministic encoding
     * @return the peer id
     * @throws IllegalArgumentException as {@link PublicKey#decode(byte[])} does
     */
    public static PeerId fromPublicKeyProtobuf(byte[] proto) {
        return PublicKey.decode(proto).toPeerId();
    }

    /**
     * Wraps a multihash as a peer id.
     *
     * @param multihash an identity multihash of a valid {@code PublicKey} protobuf of at most
     *     {@value #MAX_INLINE_KEY_LENGTH} bytes, or a sha2-256 multihash with a 32-byte digest
     * @return the peer id
     * @throws IllegalArgumentException if the multihash is anything else
     */
    public static PeerId fromMultihash(Multihash multihash) {
        Objects.requireNonNull(multihash, "multihash");
        if (multihash.code() == Multicodec.IDENTITY.code()) {
            if (multihash.digestLength() > MAX_INLINE_KEY_LENGTH) {
                throw new IllegalArgumentException("identity peer id inlines " + multihash.digestLength()
                        + " bytes; keys longer than " + MAX_INLINE_KEY_LENGTH + " bytes must be hashed with sha2-256");
            }
            return new PeerId(multihash, PublicKey.decode(multihash.digest()));
        }
        if (multihash.code() == Multicodec.SHA2_256.code()) {
            if (multihash.digestLength() != 32) {
                throw new IllegalArgumentException(
                        "sha2-256 peer id must have a 32-byte digest, got " + multihash.digestLength());
            }
            return new PeerId(multihash, null);
        }
        throw new IllegalArgumentException("peer id multihash must be identity or sha2-256, got "
                + Multicodec.describe(multihash.code()));
    }

    /**
     * Decodes the binary form, the multihash bytes.
     *
     * @param bytes the multihash bytes
     * @return the peer id
     * @throws IllegalArgumentException if the bytes are not exactly one multihash that
     *     {@link #fromMultihash(Multihash)} accepts
     */
    public static PeerId fromBytes(byte[] bytes) {
        return fromMultihash(Multihash.decode(bytes));
    }

    /**
     * Parses either text form: a base58btc multihash starting with {@code "1"} or {@code "Qm"}, or a
     * CIDv1 with the {@code libp2p-key} codec in any supported multibase.
     *
     * @param text the peer id text
     * @return the peer id
     * @throws IllegalArgumentException if the text is neither form, or is a CID with another codec;
     *     the message says why
     */
    public static PeerId parse(String text) {
        Objects.requireNonNull(text, "text");
        try {
            if (text.startsWith("1") || text.startsWith("Qm")) {
                return fromMultihash(Multihash.fromBase58(text));
            }
            Cid cid = Cid.parse(text);
            if (cid.codec() != Multicodec.LIBP2P_KEY.code()) {
                throw new IllegalArgumentException("CID codec is " + Multicodec.describe(cid.codec())
                        + ", a peer id needs " + Multicodec.describe(Multicodec.LIBP2P_KEY.code()));
            }
            return fromMultihash(cid.multihash());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid peer id \"" + text + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the multihash.
     *
     * @return the identity or sha2-256 multihash
     */
    public Multihash multihash() {
        return multihash;
    }

    /**
     * Returns the binary form.
     *
     * @return the multihash bytes (a copy)
     */
    public byte[] bytes() {
        return multihash.bytes();
    }

    /**
     * Returns the legacy text form, base58btc of the multihash without a multibase prefix.
     *
     * @return for example {@code "12D3KooW..."} or {@code "Qm..."}
     */
    public String toBase58() {
        return multihash.toString();
    }

    /**
     * Returns the CID text form: a CIDv1 with the {@code libp2p-key} codec in base32.
     *
     * @return for example {@code "bafzaajaiaejc..."}
     */
    public String toCid() {
        return Cid.v1(Multicodec.LIBP2P_KEY, multihash).toString();
    }

    /**
     * Returns the public key when the id inlines it (identity multihash).
     *
     * @return the key, or empty for a hashed (sha2-256) id
     */
    public Optional<PublicKey> publicKey() {
        return Optional.ofNullable(publicKey);
    }

    /**
     * Returns the serialized {@code PublicKey} protobuf when the id inlines it.
     *
     * @return a copy of the protobuf, or empty for a hashed (sha2-256) id
     */
    public Optional<byte[]> publicKeyProtobuf() {
        return publicKey == null ? Optional.empty() : Optional.of(multihash.digest());
    }

    /**
     * Returns the raw Ed25519 key when the id inlines an Ed25519 key.
     *
     * @return a copy of the 32-byte key, or empty for other key types and hashed ids
     */
    public Optional<byte[]> ed25519PublicKey() {
        return publicKey != null && publicKey.type() == KeyType.ED25519
                ? Optional.of(publicKey.data())
                : Optional.empty();
    }

    /**
     * Compares the multihashes.
     *
     * @param o another object
     * @return whether {@code o} is a peer id with the same multihash
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId && multihash.equals(((PeerId) o).multihash);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return multihash.hashCode();
    }

    /**
     * Orders peer ids by their binary forms (the multihashes), unsigned byte by byte: the order of
     * {@code Arrays.compareUnsigned} on {@link #bytes()}, without the copies.
     *
     * @param o another peer id
     * @return negative, zero or positive as this id sorts before, with or after {@code o}
     */
    @Override
    public int compareTo(PeerId o) {
        return multihash.compareTo(o.multihash);
    }

    /**
     * Returns the default text form.
     *
     * @return {@link #toBase58()}
     */
    @Override
    public String toString() {
        return toBase58();
    }
}
