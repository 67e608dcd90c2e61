package org.hyphae.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

import org.hyphae.multiformats.Cid;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Sharing files and folders as UnixFS DAGs in the node's {@link org.hyphae.storage.BlockStore}.
 *
 * <p><b>Import</b> cuts a file into fixed-size chunks stored as raw blocks (CIDv1, sha2-256) and
 * links them in a balanced tree of dag-pb UnixFS file nodes; a folder becomes a UnixFS directory
 * node whose links are its entries sorted by name. A file of at most one chunk is its single raw
 * block. With the same {@link ImportOptions} the root CID equals the one Helia (@helia/unixfs) and
 * kubo give. Import streams: a file is never held in memory whole.
 *
 * <p><b>Export</b> walks the DAG from a root, verifying every block against its CID (the block
 * store does) and checking that declared sizes add up and that no node is its own ancestor; bad
 * DAGs throw {@link InvalidDagException} naming the block.
 *
 * <p><b>Threads.</b> Every method may be called from any number of threads at once.
 */
@ProviderType
public interface FileSharing {

    /**
     * Imports the bytes of a stream as a UnixFS file. The root is not pinned: call {@link #pin}
     * to keep it.
     *
     * @param data the content, read to the end; not closed
     * @param options chunking and layout
     * @param progress told the bytes read so far
     * @return the root CID
     * @throws IOException if reading fails or the block store cannot be written (the message says
     *     which); blocks already written stay (unpinned)
     * @throws IllegalStateException if no block store is bound
     */
    Cid add(InputStream data, ImportOptions options, ProgressListener progress) throws IOException;

    /**
     * Imports a file or a folder (recursively) from disk. Folder entries are named by their file
     * names; symbolic links are not followed and are refused. The root is pinned, named after the
     * path's last element.
     *
     * @param path a regular file or a directory
     * @param options chunking and layout
     * @param progress told the file bytes read so far, and the total
     * @return the root CID
     * @throws IOException if the path cannot be read (naming it), holds something other than regular
     *     files and directories, a folder is too large for a flat (unsharded) directory node, or the
     *     block store cannot be written
     * @throws IllegalStateException if no block store is bound
     */
    Cid add(Path path, ImportOptions options, ProgressListener progress) throws IOException;

    /**
     * Streams the content of a UnixFS file (dag-pb file node or raw block) to {@code out}, verifying
     * every block before its bytes are written.
     *
     * @param root the file's CID
     * @param out where the bytes go; not closed
     * @param progress told the bytes written so far and the file's declared size
     * @return the number of bytes written
     * @throws InvalidDagException if a block is missing, corrupt, not UnixFS, a directory, part of a
     *     cycle, or sizes do not add up; names the block
     * @throws IOException if writing fails or the block store cannot be read
     * @throws IllegalStateException if no block store is bound
     */
    long cat(Cid root, OutputStream out, ProgressListener progress) throws IOException;

    /**
     * Writes a file or folder to disk: a file to {@code target}, a folder as the directory
     * {@code target} with its entries inside. Entry names that are not plain file names ({@code ..},
     * containing a separator, empty) are refused. Files are written to a temporary name beside the
     * target and renamed when complete and verified.
     *
     * @param root the file's or folder's CID
     * @param target where to write; must not exist
     * @param progress told the bytes written so far
     * @throws InvalidDagException as for {@link #cat}, or for a bad entry name
     * @throws IOException if {@code target} exists or cannot be written
     * @throws IllegalStateException if no block store is bound
     */
    void export(Cid root, Path target, ProgressListener progress) throws IOException;

    /**
     * Lists a folder's entries, or describes a single file.
     *
     * @param root a folder's or a file's CID
     * @return the folder's entries in link order (sorted by name), or one entry with an empty name
     *     for a file
     * @throws InvalidDagException if the root block is missing, corrupt or not UnixFS
     * @throws IOException if the block store cannot be read
     */
    List<Entry> list(Cid root) throws IOException;

    /**
     * Pins a root so garbage collection keeps its DAG. Pinning a pinned root changes nothing. Pins
     * are kept in the node's Datastore when one is bound, else only until the node stops.
     *
     * @param root the root CID
     * @param name a label for people, maybe empty
     * @throws IOException if the datastore cannot be written
     */
    void pin(Cid root, String name) throws IOException;

    /**
     * Removes a pin. The blocks stay until garbage collection.
     *
     * @param root the root CID
     * @return whether it was pinned
     * @throws IOException if the datastore cannot be written
     */
    boolean unpin(Cid root) throws IOException;

    /**
     * Lists the pins.
     *
     * @return the pinned roots, ordered by CID text
     * @throws IOException if the datastore cannot be read
     */
    List<Pin> pins() throws IOException;

    /**
     * Fetches a DAG from the swarm into the block store through the node's
     * {@link org.hyphae.exchange.BlockExchange} (Bitswap), asking many peers at once, and pins it.
     * Blocks already stored are not fetched again, so a fetch stopped midway (even by a crash)
     * continues where it stopped. Every block is verified against its CID before it is stored. When
     * the node has content routing (the DHT), the root is then provided.
     *
     * @param root the root CID
     * @param progress told the file bytes fetched or found so far and, for a file, its total size
     * @throws InvalidDagException if a block is not UnixFS, too large or too deep; names the block
     * @throws IOException if a block cannot be got from any peer in time
     *     ({@link org.hyphae.exchange.BlockUnavailableException}) or the store cannot be written
     * @throws IllegalStateException if no block store or no block exchange is bound
     * @throws UnsupportedOperationException if this implementation cannot fetch from peers
     */
    void fetch(Cid root, ProgressListener progress) throws IOException;

    /**
     * {@link #fetch Fetches} a file or folder and {@link #export exports} it to {@code target}.
     * An implementation may write the file while its blocks arrive, rather than after the whole
     * DAG is in; either way only verified blocks reach {@code target}, a file appears under its
     * name only when complete, and the fetched blocks stay in the store (pinned once all are in),
     * so a failed or stopped get resumes from them. The store may keep the file's leaves as
     * references into {@code target} ({@link org.hyphae.storage.BlockStore#putReference}), so
     * their bytes are on disk once; the node then serves them from there, and a leaf whose bytes
     * in the file are changed later is absent again (fetched anew when needed). This default
     * fetches, then exports.
     *
     * @param root the root CID
     * @param target where to write; must not exist
     * @param progress told the file bytes fetched or found so far and, for a file, its total size
     * @throws InvalidDagException as for {@link #fetch} and {@link #export}
     * @throws IOException if {@code target} exists, a block cannot be got, or a write fails
     * @throws IllegalStateException if no block store or no block exchange is bound
     * @since 0.5
     */
    default void get(Cid root, Path target, ProgressListener progress) throws IOException {
        fetch(root, progress);
        export(root, target, null);
    }

    /**
     * Lists the fetches from the swarm ({@link #fetch}) running now, with their progress, for
     * dashboards and metrics. A fetch leaves the list when it ends, however it ends.
     *
     * @return the running fetches, oldest first; empty if none
     */
    List<Transfer> transfers();

    /**
     * Deletes every stored block that no pin reaches (through the links of stored dag-pb nodes).
     * Refused while an import or a fetch runs, whose blocks are not pinned yet.
     *
     * @return what was removed and kept
     * @throws IOException if the store cannot be read or written
     * @throws IllegalStateException if an import or fetch is running, or no block store is bound
     */
    GcResult collectGarbage() throws IOException;

    /**
     * The outcome of {@link #collectGarbage()}.
     *
     * @param blocksRemoved blocks deleted
     * @param bytesRemoved their bytes
     * @param blocksKept blocks reachable from a pin
     */
    record GcResult(long blocksRemoved, long bytesRemoved, long blocksKept) {
    }

    /**
     * One entry of a folder, or a file described on its own.
     *
     * @param name the entry's name in its folder; empty for a file described on its own
     * @param cid the entry's CID
     * @param kind what it is
     * @param size the file's size in bytes, or for a folder the DAG size recorded in the link
     */
    record Entry(String name, Cid cid, Kind kind, long size) {
    }

    /** What an entry is. */
    enum Kind {
        /** A UnixFS file (or a raw block, which is a file of one chunk). */
        FILE,
        /** A UnixFS directory. */
        DIRECTORY,
        /** A UnixFS symlink, HAMT shard or something else Hyphae does not export yet. */
        OTHER
    }
}
