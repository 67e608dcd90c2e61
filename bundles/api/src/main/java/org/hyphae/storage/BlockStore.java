package org.hyphae.storage;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

import org.hyphae.multiformats.Cid;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Content-addressed blocks: a CID maps to the bytes whose hash it carries.
 *
 * <p><b>Verified both ways.</b> {@link #put} hashes the bytes (while streaming them, for
 * {@link #put(Cid, InputStream)}) and stores nothing if they do not match the CID's multihash
 * ({@link BlockMismatchException} naming the CID). {@link #get} checks what it read and, if that does
 * not match, throws {@link CorruptDataException} naming the CID and the file or connection, and
 * returns nothing. It checks against the CID's hash, or against a checksum that the store kept
 * when it wrote the block (whose hash every put has checked), such as the fs store's CRC32C. Hash
 * functions a store can check: at least sha2-256 and identity; a CID whose hash function the store
 * cannot check is refused on write with {@link BlockMismatchException}.
 *
 * <p><b>Durable when acknowledged.</b> When {@code put} or {@code delete} returns, the change
 * survives a crash of the process or the machine (for stores that keep data at all: the memory
 * store's promise ends with the process). A crash during a {@code put} leaves either the whole block
 * or nothing.
 *
 * <p><b>Threads.</b> Every method may be called from any number of threads at once.
 *
 * <p><b>Kinds.</b> Each implementation registers this service with {@link #KIND_PROPERTY} set to
 * its kind ({@code fs}, {@code memory}, {@code jdbc}, ...). A consumer picks the kind with its
 * reference's target, which Config Admin can change at runtime: see {@link #SELECTION_PID}.
 */
@ProviderType
public interface BlockStore {

    /** Service property naming the implementation kind, e.g. {@code fs}, {@code memory}, {@code jdbc}. */
    String KIND_PROPERTY = "storage.kind";

    /**
     * The configuration PID that selects the active kind. A consumer component lists it among its
     * {@code configurationPid}s, names its reference {@value #REFERENCE_NAME} (dynamic, greedy) and
     * has a {@code @Modified} method; setting {@code blockStore.target=(storage.kind=jdbc)} in this
     * configuration then rebinds every such consumer without restarting it.
     */
    String SELECTION_PID = "org.hyphae.storage";

    /** The reference name consumers use, so that {@code blockStore.target} in {@link #SELECTION_PID} applies. */
    String REFERENCE_NAME = "blockStore";

    /**
     * Tells whether a block is stored. Does not verify it.
     *
     * @param cid the block's CID
     * @return whether a block with this CID is stored
     * @throws StorageException if the store cannot be read
     */
    boolean has(Cid cid) throws StorageException;

    /**
     * Returns a stored block's size without reading it.
     *
     * @param cid the block's CID
     * @return its size in bytes, or empty if it is not stored
     * @throws StorageException if the store cannot be read
     */
    OptionalLong size(Cid cid) throws StorageException;

    /**
     * Reads a block and verifies it: against its CID, or against the checksum the store kept when
     * it wrote the block after checking it against the CID.
     *
     * @param cid the block's CID
     * @return the block's bytes, or empty if it is not stored
     * @throws CorruptDataException if the stored bytes do not hash to the CID, or the stored data is
     *     unreadable; names the CID and the file or connection
     * @throws StorageException if the store cannot be read
     */
    Optional<byte[]> get(Cid cid) throws StorageException;

    /**
     * Opens a block for streaming, for blocks too large to hold in memory at once. The stream hashes
     * what it delivers; on reaching the end it checks the hash and, on a mismatch, throws
     * {@link CorruptDataException} naming the CID and the file or connection instead of reporting
     * the end. A reader must therefore treat the bytes as unverified until {@code read} has returned
     * {@code -1}.
     *
     * @param cid the block's CID
     * @return the stream, or empty if the block is not stored; the caller closes it
     * @throws StorageException if the store cannot be read
     */
    Optional<InputStream> open(Cid cid) throws StorageException;

    /**
     * Stores a block durably before returning. Storing a block that is already there is allowed
     * and changes nothing.
     *
     * @param cid the block's CID
     * @param data the block's bytes; not kept by the store after it returns
     * @throws BlockMismatchException if {@code data} does not hash to {@code cid}; nothing is stored
     * @throws StorageException if the store cannot be written (disk full, database down); nothing
     *     is stored
     */
    void put(Cid cid, byte[] data) throws StorageException;

    /**
     * Stores a block whose bytes were hashed to its CID already (by {@link VerifiedBlock#compute}),
     * durably before returning, as {@link #put(Cid, byte[])} does. A store need not hash them
     * again; this default does.
     *
     * @param block the block; its bytes are not kept by the store after it returns
     * @throws StorageException if the store cannot be written; nothing is stored
     * @since 1.1
     */
    default void put(VerifiedBlock block) throws StorageException {
        put(block.cid(), block.data());
    }

    /**
     * Stores a block whose bytes the caller has just written at {@code offset} in {@code file} (a
     * download's output, say), durably before returning. A store may keep a reference to that range
     * instead of a copy, as Kubo's filestore does for {@code add --nocopy} and as a BitTorrent client
     * seeds from the files it downloaded: the bytes are then on disk once, not twice. A referenced
     * block is read and checked like a copy; when the range no longer holds the block's bytes (the
     * file was changed or truncated), the block is absent again, never wrong. This default stores a
     * copy, which is what a store without access to the file (a database) has to do.
     *
     * @param block the block; its bytes are not kept by the store after it returns
     * @param file a regular file holding the block's bytes from {@code offset} on
     * @param offset where in the file the block's bytes begin
     * @throws StorageException if the store cannot be written; nothing is stored
     * @since 1.2
     */
    default void putReference(VerifiedBlock block, Path file, long offset) throws StorageException {
        put(block);
    }

    /**
     * A block and where its bytes begin in a file, for {@link #putReferences}.
     *
     * @param block the block
     * @param offset where in the file its bytes begin
     * @since 1.3
     */
    record BlockAt(VerifiedBlock block, long offset) {
    }

    /**
     * As {@link #putReference} for each block, all in {@code file}: a store may make them durable
     * together (one sync of the file and one of its own records), which a caller writing a file
     * block by block does best in batches. This default stores them one by one.
     *
     * @param file a regular file holding each block's bytes from its offset on
     * @param blocks the blocks and their offsets
     * @throws StorageException if the store cannot be written; the blocks before the failing one
     *     may be stored
     * @since 1.3
     */
    default void putReferences(Path file, java.util.List<BlockAt> blocks) throws StorageException {
        for (BlockAt b : blocks) {
            putReference(b.block(), file, b.offset());
        }
    }

    /**
     * Moves a block the store keeps as a reference into another file ({@link #putReference}) to
     * the same bytes at {@code offset} in {@code file}, which the caller has just written: a
     * download resumed into a new file, after the file the block was referenced in was removed,
     * then holds the block, and the space of the old file is freed with its last reference. The
     * store checks that the range holds the block's bytes. A block kept as a copy, or as a reference
     * into {@code file} already, stays as it is; this default keeps every block as it is.
     *
     * @param cid the block's CID
     * @param file a regular file holding the block's bytes from {@code offset} on
     * @param offset where in the file the block's bytes begin
     * @return whether the reference was moved
     * @throws StorageException if the store cannot be read or written; the block is kept as before
     * @since 1.3
     */
    default boolean moveReference(Cid cid, Path file, long offset) throws StorageException {
        return false;
    }

    /**
     * Stores a block read from a stream, hashing it while it streams, durably before returning.
     * Nothing is visible to readers until the whole stream has been read and verified.
     *
     * @param cid the block's CID
     * @param data the block's bytes, read to the end; not closed by the store
     * @return the number of bytes stored
     * @throws BlockMismatchException if the bytes do not hash to {@code cid}; nothing is stored
     * @throws StorageException if reading {@code data} fails or the store cannot be written;
     *     nothing is stored
     */
    long put(Cid cid, InputStream data) throws StorageException;

    /**
     * Removes a block durably before returning. Removing a block that is not there is allowed.
     *
     * @param cid the block's CID
     * @return whether a block was removed
     * @throws StorageException if the store cannot be written
     */
    boolean delete(Cid cid) throws StorageException;

    /**
     * Iterates over the CIDs of stored blocks, in no particular order. A block put or deleted while
     * the cursor is open may or may not be seen.
     *
     * @return a cursor to close after use
     * @throws StorageException if the store cannot be read
     */
    Cursor<Cid> cids() throws StorageException;

    /**
     * Counts the blocks and their bytes.
     *
     * @return the number of blocks and their total size
     * @throws StorageException if the store cannot be read
     */
    StoreStats stats() throws StorageException;
}
