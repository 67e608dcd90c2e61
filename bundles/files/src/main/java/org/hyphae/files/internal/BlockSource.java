package org.hyphae.files.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;

/**
 * Where the exporter reads blocks: the block store, or a fetch that is still running
 * ({@link FetchedBlocks}). Every block it returns has been verified against its CID.
 */
interface BlockSource {

    /** A block's size, if it is (or will be, for a running fetch) available. */
    OptionalLong size(Cid cid) throws IOException;

    /** A block's verified bytes, or empty if there is no such block. */
    Optional<byte[]> get(Cid cid) throws IOException;

    /** Whether the block is available now. */
    boolean has(Cid cid) throws IOException;

    /**
     * The exporter has written the raw leaf {@code cid}, as {@link #get} gave it, at {@code offset}
     * in {@code file} (the bytes are in the file, not in a buffer). A running fetch that has not
     * stored the leaf stores it now as a reference to that range.
     */
    default void written(Cid cid, Path file, long offset) throws IOException {
    }

    /**
     * The exporter is done with {@code file}: it has written all of it and is about to rename it,
     * or it failed and is about to remove it. What {@link #written} left to store later must be
     * stored now, while the file has the name it was given.
     */
    default void fileEnded(Path file) throws IOException {
    }

    /** The store itself: {@link BlockStore#get} verifies what it reads. */
    static BlockSource of(BlockStore store) {
        return new BlockSource() {
            @Override
            public OptionalLong size(Cid cid) throws IOException {
                return store.size(cid);
            }

            @Override
            public Optional<byte[]> get(Cid cid) throws IOException {
                return store.get(cid);
            }

            @Override
            public boolean has(Cid cid) throws IOException {
                return store.has(cid);
            }
        };
    }
}
