package org.hyphae.storage;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Ordered byte keys to byte values. Keys are compared as unsigned bytes, lexicographically (so
 * {@code 0x7f < 0x80}, and a key sorts before every longer key it is a prefix of).
 *
 * <p><b>Limits.</b> A key is 1 to {@value #MAX_KEY_LENGTH} bytes; a value is 0 to
 * {@value #MAX_VALUE_LENGTH} bytes. Anything else is refused with {@link IllegalArgumentException}
 * before the store is touched.
 *
 * <p><b>Durable when acknowledged.</b> When {@link #put}, {@link #delete} or {@link Batch#commit()}
 * returns, the change survives a crash of the process or the machine (the memory store's promise
 * ends with the process). A batch is atomic: after a crash either all of it is there or none.
 *
 * <p><b>Threads.</b> Every method may be called from any number of threads at once; a single put is
 * atomic with respect to concurrent readers.
 *
 * <p><b>Kinds.</b> Registered with {@link #KIND_PROPERTY}; consumers select the kind through
 * {@link BlockStore#SELECTION_PID} with their reference named {@value #REFERENCE_NAME}.
 */
@ProviderType
public interface Datastore {

    /** Service property naming the implementation kind, e.g. {@code fs}, {@code memory}. */
    String KIND_PROPERTY = BlockStore.KIND_PROPERTY;

    /** The reference name consumers use, so that {@code datastore.target} in {@link BlockStore#SELECTION_PID} applies. */
    String REFERENCE_NAME = "datastore";

    /** Longest key in bytes. Kept well under what a PostgreSQL B-tree index row allows. */
    int MAX_KEY_LENGTH = 1024;

    /** Largest value in bytes (16 MiB). Larger data belongs in the {@link BlockStore}. */
    int MAX_VALUE_LENGTH = 16 * 1024 * 1024;

    /**
     * Reads a value.
     *
     * @param key the key
     * @return a copy of the value, or empty if the key is absent
     * @throws IllegalArgumentException if the key is empty or too long
     * @throws StorageException if the store cannot be read; {@link CorruptDataException} if its
     *     file is damaged
     */
    Optional<byte[]> get(byte[] key) throws StorageException;

    /**
     * Tells whether a key is present.
     *
     * @param key the key
     * @return whether it has a value
     * @throws IllegalArgumentException if the key is empty or too long
     * @throws StorageException if the store cannot be read
     */
    boolean has(byte[] key) throws StorageException;

    /**
     * Stores a value durably before returning, replacing any value under the same key.
     *
     * @param key the key; copied
     * @param value the value; copied
     * @throws IllegalArgumentException if the key is empty or too long, or the value too long
     * @throws StorageException if the store cannot be written (disk full, database gone); the
     *     change was not acknowledged and, as with any database whose commit fails, may or may not
     *     be there afterwards
     */
    void put(byte[] key, byte[] value) throws StorageException;

    /**
     * Removes a key durably before returning. Removing an absent key is allowed.
     *
     * @param key the key
     * @throws IllegalArgumentException if the key is empty or too long
     * @throws StorageException if the store cannot be written
     */
    void delete(byte[] key) throws StorageException;

    /**
     * Iterates over the entries in a range, in ascending unsigned key order. The cursor sees the
     * store as it was when opened, or a later state; never a batch half applied.
     *
     * @param range the keys to visit, for example {@link KeyRange#prefix(byte[])}
     * @return a cursor to close after use
     * @throws StorageException if the store cannot be read
     */
    Cursor<Entry> scan(KeyRange range) throws StorageException;

    /**
     * Starts an atomic batch of puts and deletes. Nothing is visible until
     * {@link Batch#commit()} returns; closing it without committing discards it.
     *
     * @return an empty batch, to be used by one thread
     */
    Batch batch();

    /**
     * Counts the entries and the bytes of their keys and values.
     *
     * @return the number of entries and their total size
     * @throws StorageException if the store cannot be read
     */
    StoreStats stats() throws StorageException;

    /**
     * Puts and deletes applied together by {@link #commit()}: all of them or none, also across a
     * crash. Operations apply in the order given (a later put or delete of a key wins).
     */
    @ProviderType
    interface Batch extends AutoCloseable {

        /**
         * Adds a put.
         *
         * @param key the key; copied
         * @param value the value; copied
         * @return this batch
         * @throws IllegalArgumentException if the key is empty or too long, or the value too long
         * @throws IllegalStateException if the batch was committed or closed
         */
        Batch put(byte[] key, byte[] value);

        /**
         * Adds a delete.
         *
         * @param key the key
         * @return this batch
         * @throws IllegalArgumentException if the key is empty or too long
         * @throws IllegalStateException if the batch was committed or closed
         */
        Batch delete(byte[] key);

        /**
         * Returns the number of operations added.
         *
         * @return the count of puts and deletes so far
         */
        int size();

        /**
         * Applies every operation atomically and durably, then closes the batch.
         *
         * @throws StorageException if the store cannot be written; the batch was not acknowledged
         *     and afterwards is either wholly there or not at all
         * @throws IllegalStateException if the batch was committed or closed already
         */
        void commit() throws StorageException;

        /** Discards the batch if it was not committed. */
        @Override
        void close();
    }
}
