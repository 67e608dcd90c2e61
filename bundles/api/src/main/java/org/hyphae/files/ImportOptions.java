package org.hyphae.files;

import java.util.Objects;

/**
 * How a file or folder is cut into a UnixFS DAG. Immutable; the {@code with...} methods return a
 * changed copy. The settings decide the root CID: the same bytes with the same settings give the
 * same CID on Hyphae, Helia (@helia/unixfs) and kubo.
 *
 * <p>{@link #defaults()}: fixed-size 256 KiB chunks, raw leaves, CIDv1, sha2-256, a balanced DAG
 * with at most 174 links per node (the defaults of ipfs-unixfs-importer and kubo). Note that
 * @helia/unixfs 8 itself defaults to 1 MiB chunks and 1024 links per node: that is
 * {@link #heliaDefaults()}.
 */
public final class ImportOptions {

    /** 256 KiB, the default chunk size. */
    public static final int CHUNK_256_KIB = 256 * 1024;

    /** 1 MiB, the larger chunk size. */
    public static final int CHUNK_1_MIB = 1024 * 1024;

    /** Links per node in the balanced layout of ipfs-unixfs-importer and kubo. */
    public static final int DEFAULT_MAX_LINKS = 174;

    /** Largest chunk accepted: peers (Bitswap) refuse blocks over 2 MiB, so chunks stay at or under 1 MiB. */
    public static final int MAX_CHUNK_SIZE = CHUNK_1_MIB;

    private static final ImportOptions DEFAULTS = new ImportOptions(CHUNK_256_KIB, DEFAULT_MAX_LINKS);

    private final int chunkSize;
    private final int maxLinks;

    private ImportOptions(int chunkSize, int maxLinks) {
        if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunk size must be 1.." + MAX_CHUNK_SIZE + " bytes, not " + chunkSize);
        }
        if (maxLinks < 2 || maxLinks > 4096) {
            throw new IllegalArgumentException("links per node must be 2..4096, not " + maxLinks);
        }
        this.chunkSize = chunkSize;
        this.maxLinks = maxLinks;
    }

    /**
     * Returns the defaults: 256 KiB chunks, 174 links per node, raw leaves, CIDv1.
     *
     * @return the default options
     */
    public static ImportOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns the settings @helia/unixfs 8 uses when given none: 1 MiB chunks, 1024 links per node,
     * raw leaves, CIDv1.
     *
     * @return Helia's default options
     */
    public static ImportOptions heliaDefaults() {
        return new ImportOptions(CHUNK_1_MIB, 1024);
    }

    /**
     * Returns a copy with another chunk size. Files are cut into chunks of exactly this size, the
     * last one shorter.
     *
     * @param bytes the chunk size, 1 to {@link #MAX_CHUNK_SIZE}; {@link #CHUNK_256_KIB} or
     *     {@link #CHUNK_1_MIB} in practice (smaller sizes are for tests)
     * @return the changed copy
     * @throws IllegalArgumentException if the size is out of range
     */
    public ImportOptions withChunkSize(int bytes) {
        return new ImportOptions(bytes, maxLinks);
    }

    /**
     * Returns a copy with another limit on links per node in the balanced layout.
     *
     * @param links the most links a file node has, 2 to 4096
     * @return the changed copy
     * @throws IllegalArgumentException if the limit is out of range
     */
    public ImportOptions withMaxLinks(int links) {
        return new ImportOptions(chunkSize, links);
    }

    /**
     * Returns the chunk size.
     *
     * @return bytes per leaf block (the last one may be shorter)
     */
    public int chunkSize() {
        return chunkSize;
    }

    /**
     * Returns the most links a file node has.
     *
     * @return the balanced layout's fan-out
     */
    public int maxLinks() {
        return maxLinks;
    }

    /**
     * Tells whether leaves are raw blocks (codec {@code raw}) rather than UnixFS file nodes. Always
     * true: Hyphae imports with raw leaves only, as Helia does by default.
     *
     * @return {@code true}
     */
    public boolean rawLeaves() {
        return true;
    }

    /**
     * Returns the CID version of every block written. Always 1.
     *
     * @return {@code 1}
     */
    public int cidVersion() {
        return 1;
    }

    /**
     * Options are equal when every setting is.
     *
     * @param o another object
     * @return whether it is an {@code ImportOptions} with the same settings
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ImportOptions other && other.chunkSize == chunkSize && other.maxLinks == maxLinks;
    }

    /**
     * A hash of the settings.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(chunkSize, maxLinks);
    }

    /**
     * The settings for people.
     *
     * @return e.g. {@code chunk=262144 maxLinks=174 rawLeaves cidv1}
     */
    @Override
    public String toString() {
        return "chunk=" + chunkSize + " maxLinks=" + maxLinks + " rawLeaves cidv1";
    }
}
