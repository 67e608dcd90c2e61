package org.hyphae.storage;

import java.io.UncheckedIOException;
import java.util.Iterator;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An iterator over a store's contents that holds resources (a directory handle, a database
 * snapshot, a connection) until it is closed; use it in try-with-resources.
 *
 * <p>{@link #hasNext()} and {@link #next()} report a storage failure met while iterating as an
 * {@link UncheckedIOException} whose cause is the {@link StorageException}. What a cursor sees of
 * writes made after it was opened is up to the implementation, but it never returns an entry
 * twice, never returns a half-written one, and returns entries in the order its method promises.
 *
 * @param <T> what it iterates over
 */
@ProviderType
public interface Cursor<T> extends Iterator<T>, AutoCloseable {

    /** Releases what the cursor holds. Closing twice is harmless. */
    @Override
    void close();
}
