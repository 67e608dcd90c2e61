package org.hyphae.storage;

import java.io.IOException;
import java.util.Optional;

import org.hyphae.multiformats.Cid;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Content-addressed blocks: a CID maps to the bytes whose hash it carries. The hash is checked on
 * write and on read; a mismatch is an error naming the CID.
 *
 * <p>First draft: the storage issue adds streaming of large values and iteration.
 */
@ProviderType
public interface BlockStore {

    /** Service property naming the implementation kind, e.g. {@code fs}, {@code memory}. */
    String KIND_PROPERTY = "storage.kind";

    /** Whether a block with this CID is stored. */
    boolean has(Cid cid) throws IOException;

    /** The block's bytes, verified against the CID, or empty if it is not stored. */
    Optional<byte[]> get(Cid cid) throws IOException;

    /**
     * Stores a block durably before returning.
     *
     * @throws IllegalArgumentException if {@code data} does not hash to {@code cid}
     */
    void put(Cid cid, byte[] data) throws IOException;

    /** Removes the block if present. */
    void delete(Cid cid) throws IOException;
}
