package org.hyphae.storage;

import java.io.IOException;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Ordered byte keys to byte values, compared as unsigned bytes.
 *
 * <p>First draft: the storage issue adds prefix and range scans and atomic batches.
 */
@ProviderType
public interface Datastore {

    /** Service property naming the implementation kind, e.g. {@code fs}, {@code memory}. */
    String KIND_PROPERTY = BlockStore.KIND_PROPERTY;

    /** The value stored under {@code key}, or empty. */
    Optional<byte[]> get(byte[] key) throws IOException;

    /** Stores {@code value} under {@code key} durably before returning. */
    void put(byte[] key, byte[] value) throws IOException;

    /** Removes {@code key} if present. */
    void delete(byte[] key) throws IOException;
}
