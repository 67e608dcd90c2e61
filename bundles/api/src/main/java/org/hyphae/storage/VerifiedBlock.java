package org.hyphae.storage;

import java.util.Objects;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;

/**
 * A block's bytes with the CID that this class computed from them. Only {@link #compute} makes
 * one, so holding one means the bytes hash to the CID, and a store given one
 * ({@link BlockStore#put(VerifiedBlock)}) need not hash them a second time. An exchange that has
 * to hash a received block to learn its CID anyway passes it on this way.
 *
 * <p>The bytes are not copied: whoever computes a block must not change the array afterwards.
 */
public final class VerifiedBlock {

    private final Cid cid;
    private final byte[] data;

    private VerifiedBlock(Cid cid, byte[] data) {
        this.cid = cid;
        this.data = data;
    }

    /**
     * Hashes {@code data} and makes the CID it has under the given version, codec and hash
     * function.
     *
     * @param version CID version, 0 or 1 (version 0 is dag-pb with sha2-256 only)
     * @param codec the content's multicodec
     * @param hashFunction the multihash function: sha2-256 or identity
     * @param data the block's bytes
     * @return the block
     * @throws IllegalArgumentException if the hash function is not one of these, or version and
     *     codec do not make a CID
     */
    public static VerifiedBlock compute(int version, long codec, long hashFunction, byte[] data) {
        Objects.requireNonNull(data, "data");
        Multihash multihash;
        if (hashFunction == Multicodec.SHA2_256.code()) {
            multihash = Multihash.sha2_256(data);
        } else if (hashFunction == Multicodec.IDENTITY.code()) {
            multihash = Multihash.identity(data);
        } else {
            throw new IllegalArgumentException("hash function " + Multicodec.describe(hashFunction) + " is not supported");
        }
        Cid cid = switch (version) {
            case 0 -> {
                if (codec != Multicodec.DAG_PB.code()) {
                    throw new IllegalArgumentException("CID version 0 is dag-pb only, not " + Multicodec.describe(codec));
                }
                yield Cid.v0(multihash);
            }
            case 1 -> Cid.v1(codec, multihash);
            default -> throw new IllegalArgumentException("CID version " + version);
        };
        return new VerifiedBlock(cid, data);
    }

    /**
     * Returns the CID the bytes hash to.
     *
     * @return the CID
     */
    public Cid cid() {
        return cid;
    }

    /**
     * Returns the bytes (not a copy: do not change them).
     *
     * @return the block's bytes
     */
    public byte[] data() {
        return data;
    }

    @Override
    public String toString() {
        return "block " + cid + " (" + data.length + " bytes)";
    }
}
