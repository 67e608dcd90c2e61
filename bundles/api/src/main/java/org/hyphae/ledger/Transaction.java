package org.hyphae.ledger;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

import org.hyphae.identity.PeerId;

/**
 * A signed ledger transaction: who sends it ({@link #from()}, an Ed25519 peer id whose key signs),
 * for which chain, with which sender nonce (the account's count of applied transactions, so each
 * one applies once and in order), the fee paid to the block's proposer, and what it does (a
 * {@link Transfer} of balance or an {@link Anchor} of a hash such as a file's CID). Immutable.
 *
 * <p>Encoding (version {@value #VERSION}): {@code u8 version, string chainId, bytes from,
 * u64 nonce, u64 fee, u8 kind, payload, bytes signature}, where strings and byte strings carry a
 * 4-byte big-endian length. The signature covers {@link #signingBytes()}: the domain tag
 * {@code hyphae/tx/v1} and the encoding up to the signature. The id is the SHA-256 of the whole
 * encoding.
 *
 * <p>A class rather than a record so that it can keep its encoding and id: a node asks for a
 * transaction's id many times (mempool, gossip, block roots, execution, the index), and each
 * answer used to encode it again and hash it.
 */
public final class Transaction {

    /** The encoding version this class writes and reads. */
    public static final int VERSION = 1;
    /** Longest chain id in bytes. */
    public static final int MAX_CHAIN_ID = 64;
    /** Largest anchored data in bytes (a CID or a digest fits many times over). */
    public static final int MAX_ANCHOR = 256;
    /** Largest encoded transaction in bytes. */
    public static final int MAX_ENCODED = 1024;
    /** Length of an Ed25519 signature. */
    public static final int SIGNATURE_LENGTH = 64;

    private static final byte[] DOMAIN = "hyphae/tx/v1".getBytes(StandardCharsets.US_ASCII);
    /** Bytes of the signature's length field at the end of the encoding, before the signature. */
    private static final int SIGNATURE_FIELD_HEADER = 4;
    private static final int KIND_TRANSFER = 1;
    private static final int KIND_ANCHOR = 2;

    /** What a transaction does. */
    public sealed interface Payload permits Transfer, Anchor {
    }

    /**
     * Moves balance to another account.
     *
     * @param to the receiving account
     * @param amount how much, at least 0
     */
    public record Transfer(PeerId to, long amount) implements Payload {
        /** Checks the fields. */
        public Transfer {
            Objects.requireNonNull(to, "to");
            if (amount < 0) {
                throw new IllegalArgumentException("negative transfer amount " + amount);
            }
        }
    }

    /**
     * Records a hash (for example a CID's bytes) on the chain; moves no balance.
     *
     * @param data the anchored bytes, 1 to {@value Transaction#MAX_ANCHOR}
     */
    public record Anchor(byte[] data) implements Payload {
        /** Checks and copies the data. */
        public Anchor {
            data = data.clone();
            if (data.length == 0 || data.length > MAX_ANCHOR) {
                throw new IllegalArgumentException("anchor data must be 1 to " + MAX_ANCHOR + " bytes, got " + data.length);
            }
        }

        /**
         * Returns the data.
         *
         * @return a copy of the anchored bytes
         */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /**
         * Compares the data.
         *
         * @param o another object
         * @return whether {@code o} anchors the same bytes
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Anchor a && Arrays.equals(data, a.data);
        }

        /**
         * Returns a hash code consistent with {@link #equals(Object)}.
         *
         * @return the hash code
         */
        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        /**
         * Describes the anchor.
         *
         * @return the data in hex
         */
        @Override
        public String toString() {
            return "Anchor[" + HexFormat.of().formatHex(data) + "]";
        }
    }

    private final String chainId;
    private final PeerId from;
    private final long nonce;
    private final long fee;
    private final Payload payload;
    private final byte[] signature;
    /** The canonical encoding, made once (at decoding: the bytes decoded); never handed out, only copies. */
    private final byte[] encoded;
    /** The id, computed on first use; a racy duplicate computation gives an equal value (Hash is immutable). */
    private Hash hash;

    /**
     * Checks the fields and copies the signature.
     *
     * @param chainId the chain this transaction is for; other chains refuse it
     * @param from the sender; must inline an Ed25519 key
     * @param nonce the sender's nonce: the number of transactions of this sender applied before it
     * @param fee what the sender pays the proposer, at least 0
     * @param payload what the transaction does
     * @param signature the sender's 64-byte Ed25519 signature over {@link #signingBytes()}; empty
     *     before signing
     * @throws IllegalArgumentException if a field is out of range
     */
    public Transaction(String chainId, PeerId from, long nonce, long fee, Payload payload, byte[] signature) {
        this(chainId, from, nonce, fee, payload, signature.clone(), null);
    }

    /** {@code sig} is this object's own; {@code encoding} the bytes these fields were decoded from, or null. */
    private Transaction(String chainId, PeerId from, long nonce, long fee, Payload payload, byte[] sig, byte[] encoding) {
        Objects.requireNonNull(chainId, "chainId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(payload, "payload");
        if (chainId.isEmpty() || chainId.getBytes(StandardCharsets.UTF_8).length > MAX_CHAIN_ID) {
            throw new IllegalArgumentException("chain id must be 1 to " + MAX_CHAIN_ID + " bytes: \"" + chainId + "\"");
        }
        if (from.ed25519PublicKey().isEmpty()) {
            throw new IllegalArgumentException("sender " + from + " does not inline an Ed25519 key");
        }
        if (nonce < 0) {
            throw new IllegalArgumentException("negative nonce " + nonce);
        }
        if (fee < 0) {
            throw new IllegalArgumentException("negative fee " + fee);
        }
        if (sig.length != 0 && sig.length != SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("signature must be " + SIGNATURE_LENGTH + " bytes, got " + sig.length);
        }
        this.chainId = chainId;
        this.from = from;
        this.nonce = nonce;
        this.fee = fee;
        this.payload = payload;
        this.signature = sig;
        this.encoded = encoding != null ? encoding : body(new CanonicalWriter()).bytes(sig).toByteArray();
    }

    /**
     * Returns the chain id.
     *
     * @return the chain this transaction is for
     */
    public String chainId() {
        return chainId;
    }

    /**
     * Returns the sender.
     *
     * @return the sender's peer id (it inlines the Ed25519 key that signs)
     */
    public PeerId from() {
        return from;
    }

    /**
     * Returns the sender's nonce.
     *
     * @return the number of this sender's transactions applied before this one
     */
    public long nonce() {
        return nonce;
    }

    /**
     * Returns the fee.
     *
     * @return what the sender pays the block's proposer
     */
    public long fee() {
        return fee;
    }

    /**
     * Returns what the transaction does.
     *
     * @return the transfer or anchor
     */
    public Payload payload() {
        return payload;
    }

    /**
     * Creates an unsigned transfer.
     *
     * @param chainId the chain
     * @param from the sender
     * @param nonce the sender's nonce
     * @param fee the fee
     * @param to the receiver
     * @param amount the amount
     * @return the transaction with an empty signature
     */
    public static Transaction transfer(String chainId, PeerId from, long nonce, long fee, PeerId to, long amount) {
        return new Transaction(chainId, from, nonce, fee, new Transfer(to, amount), new byte[0]);
    }

    /**
     * Creates an unsigned anchor.
     *
     * @param chainId the chain
     * @param from the sender
     * @param nonce the sender's nonce
     * @param fee the fee
     * @param data the bytes to anchor
     * @return the transaction with an empty signature
     */
    public static Transaction anchor(String chainId, PeerId from, long nonce, long fee, byte[] data) {
        return new Transaction(chainId, from, nonce, fee, new Anchor(data), new byte[0]);
    }

    /**
     * Returns the signature.
     *
     * @return a copy of the signature bytes (empty if unsigned)
     */
    public byte[] signature() {
        return signature.clone();
    }

    /**
     * Returns a copy with a signature.
     *
     * @param sig the 64-byte signature over {@link #signingBytes()}
     * @return the signed transaction
     */
    public Transaction withSignature(byte[] sig) {
        return new Transaction(chainId, from, nonce, fee, payload, sig);
    }

    /**
     * What the sender signs: the domain tag and the encoding without the signature.
     *
     * @return the bytes to sign or verify
     */
    public byte[] signingBytes() {
        // The encoding without its last field (the signature's length and bytes), after the domain tag.
        int body = encoded.length - SIGNATURE_FIELD_HEADER - signature.length;
        byte[] out = new byte[DOMAIN.length + body];
        System.arraycopy(DOMAIN, 0, out, 0, DOMAIN.length);
        System.arraycopy(encoded, 0, out, DOMAIN.length, body);
        return out;
    }

    private CanonicalWriter body(CanonicalWriter w) {
        w.u8(VERSION).string(chainId).bytes(from.bytes()).u64(nonce).u64(fee);
        if (payload instanceof Transfer t) {
            w.u8(KIND_TRANSFER).bytes(t.to().bytes()).u64(t.amount());
        } else {
            w.u8(KIND_ANCHOR).bytes(((Anchor) payload).data);
        }
        return w;
    }

    /**
     * The canonical encoding.
     *
     * @return the bytes, signature included
     */
    public byte[] encode() {
        return encoded.clone();
    }

    /**
     * The transaction id.
     *
     * @return the SHA-256 of {@link #encode()}
     */
    public Hash hash() {
        Hash h = hash;
        if (h == null) {
            h = Hash.sha256(encoded);
            hash = h;
        }
        return h;
    }

    /**
     * What a transfer moves (zero for an anchor).
     *
     * @return the amount
     */
    public long amount() {
        return payload instanceof Transfer t ? t.amount() : 0;
    }

    /**
     * Decodes the canonical encoding strictly.
     *
     * @param bytes the encoding
     * @return the transaction
     * @throws IllegalArgumentException if the bytes are not exactly one well-formed transaction of
     *     a known version; the message names the field and offset
     */
    public static Transaction decode(byte[] bytes) {
        if (bytes.length > MAX_ENCODED) {
            throw new IllegalArgumentException("transaction: " + bytes.length + " bytes exceeds the limit of " + MAX_ENCODED);
        }
        CanonicalReader r = new CanonicalReader("transaction", bytes);
        int version = r.u8("version");
        if (version != VERSION) {
            throw r.fail("version", "unknown version " + version + ", this node reads " + VERSION);
        }
        String chainId = r.string(MAX_CHAIN_ID, "chainId");
        PeerId from = peer(r, "from");
        long nonce = r.u64("nonce");
        long fee = r.u64("fee");
        int kind = r.u8("kind");
        Payload payload;
        try {
            if (kind == KIND_TRANSFER) {
                PeerId to = peer(r, "to");
                payload = new Transfer(to, r.u64("amount"));
            } else if (kind == KIND_ANCHOR) {
                payload = new Anchor(r.bytes(MAX_ANCHOR, "anchor"));
            } else {
                throw r.fail("kind", "unknown payload kind " + kind);
            }
            byte[] sig = r.bytes(SIGNATURE_LENGTH, "signature");
            r.end();
            // The bytes are exactly this transaction's canonical encoding (strict reading): kept, as a copy of the caller's array.
            return new Transaction(chainId, from, nonce, fee, payload, sig, bytes.clone());
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("transaction:")) {
                throw e;
            }
            throw new IllegalArgumentException("transaction: " + e.getMessage(), e);
        }
    }

    static PeerId peer(CanonicalReader r, String field) {
        byte[] b = r.bytes(64, field);
        try {
            return PeerId.fromBytes(b);
        } catch (IllegalArgumentException e) {
            throw r.fail(field, "not a peer id: " + e.getMessage());
        }
    }

    /**
     * Compares every field, the signature by content.
     *
     * @param o another object
     * @return whether {@code o} is the same transaction
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Transaction t && chainId.equals(t.chainId) && from.equals(t.from) && nonce == t.nonce
                && fee == t.fee && payload.equals(t.payload) && Arrays.equals(signature, t.signature);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(from, nonce, fee, payload) * 31 + Arrays.hashCode(signature);
    }

    /**
     * Describes the transaction without its signature.
     *
     * @return sender, nonce, fee and payload
     */
    @Override
    public String toString() {
        return "Transaction[" + chainId + ", from=" + from + ", nonce=" + nonce + ", fee=" + fee + ", " + payload + "]";
    }
}
