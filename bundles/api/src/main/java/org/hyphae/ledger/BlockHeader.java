package org.hyphae.ledger;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import org.hyphae.identity.PeerId;

/**
 * A block header. Immutable.
 *
 * <p>Encoding (version {@value #VERSION}): {@code u8 version, 32 parent, u64 height, u64 time,
 * 32 txRoot, 32 stateRoot, bytes proposer, bytes seal} (byte strings with a 4-byte length; the
 * genesis block has an empty proposer). The block's id is the SHA-256 of the whole encoding; the
 * consensus engine's seal signs {@link #unsealedBytes()}, everything but the seal.
 *
 * @param parent the parent block's hash ({@link Hash#ZERO} for genesis)
 * @param height the block's height, genesis is 0
 * @param time milliseconds since the epoch, strictly after the parent's
 * @param txRoot the Merkle root of the block's transaction ids
 * @param stateRoot the root of the account state after the block's transactions
 * @param proposer who made the block; empty only for genesis
 * @param seal the consensus engine's proof (a signature, votes, a commit certificate, a nonce)
 */
public record BlockHeader(Hash parent, long height, long time, Hash txRoot, Hash stateRoot,
        Optional<PeerId> proposer, byte[] seal) {

    /** The encoding version this class writes and reads. */
    public static final int VERSION = 1;
    /** Largest seal in bytes (room for a BFT commit certificate of about 100 validators). */
    public static final int MAX_SEAL = 16 * 1024;

    private static final byte[] DOMAIN = "hyphae/header/v1".getBytes(StandardCharsets.US_ASCII);

    /** Checks the fields and copies the seal. */
    public BlockHeader {
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(txRoot, "txRoot");
        Objects.requireNonNull(stateRoot, "stateRoot");
        Objects.requireNonNull(proposer, "proposer");
        seal = seal.clone();
        if (height < 0) {
            throw new IllegalArgumentException("negative height " + height);
        }
        if (seal.length > MAX_SEAL) {
            throw new IllegalArgumentException("seal of " + seal.length + " bytes exceeds " + MAX_SEAL);
        }
    }

    /**
     * Returns the seal.
     *
     * @return a copy of the engine's seal bytes
     */
    @Override
    public byte[] seal() {
        return seal.clone();
    }

    /**
     * Returns a copy with another seal.
     *
     * @param newSeal the engine's seal
     * @return the sealed header
     */
    public BlockHeader withSeal(byte[] newSeal) {
        return new BlockHeader(parent, height, time, txRoot, stateRoot, proposer, newSeal);
    }

    private CanonicalWriter body(CanonicalWriter w) {
        return w.u8(VERSION).fixed(parent.bytes()).u64(height).u64(time).fixed(txRoot.bytes()).fixed(stateRoot.bytes())
                .bytes(proposer.map(PeerId::bytes).orElse(new byte[0]));
    }

    /**
     * What an engine's seal signs: the domain tag {@code hyphae/header/v1} and the encoding without
     * the seal.
     *
     * @return the bytes
     */
    public byte[] unsealedBytes() {
        return body(new CanonicalWriter().fixed(DOMAIN)).toByteArray();
    }

    /**
     * The canonical encoding.
     *
     * @return the bytes, seal included
     */
    public byte[] encode() {
        return body(new CanonicalWriter()).bytes(seal).toByteArray();
    }

    /**
     * The block id.
     *
     * @return the SHA-256 of {@link #encode()}
     */
    public Hash hash() {
        return Hash.sha256(encode());
    }

    /**
     * Decodes the canonical encoding strictly.
     *
     * @param bytes the encoding
     * @return the header
     * @throws IllegalArgumentException if the bytes are not exactly one well-formed header of a
     *     known version; the message names the field and offset
     */
    public static BlockHeader decode(byte[] bytes) {
        CanonicalReader r = new CanonicalReader("block header", bytes);
        BlockHeader h = read(r);
        r.end();
        return h;
    }

    static BlockHeader read(CanonicalReader r) {
        int version = r.u8("version");
        if (version != VERSION) {
            throw r.fail("version", "unknown version " + version + ", this node reads " + VERSION);
        }
        Hash parent = Hash.of(r.fixed(Hash.LENGTH, "parent"));
        long height = r.u64("height");
        if (height < 0) {
            throw r.fail("height", "out of range");
        }
        long time = r.u64("time");
        Hash txRoot = Hash.of(r.fixed(Hash.LENGTH, "txRoot"));
        Hash stateRoot = Hash.of(r.fixed(Hash.LENGTH, "stateRoot"));
        byte[] p = r.bytes(64, "proposer");
        Optional<PeerId> proposer;
        try {
            proposer = p.length == 0 ? Optional.empty() : Optional.of(PeerId.fromBytes(p));
        } catch (IllegalArgumentException e) {
            throw r.fail("proposer", "not a peer id: " + e.getMessage());
        }
        byte[] seal = r.bytes(MAX_SEAL, "seal");
        return new BlockHeader(parent, height, time, txRoot, stateRoot, proposer, seal);
    }

    /**
     * Compares every field, the seal by content.
     *
     * @param o another object
     * @return whether {@code o} is the same header
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof BlockHeader h && Arrays.equals(encode(), h.encode());
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    /**
     * Describes the header.
     *
     * @return height, a short hash, parent, time and proposer
     */
    @Override
    public String toString() {
        return "BlockHeader[#" + height + " " + hash().shortHex() + ", parent=" + parent.shortHex() + ", time=" + time
                + ", proposer=" + proposer.map(PeerId::toString).orElse("-") + "]";
    }
}
