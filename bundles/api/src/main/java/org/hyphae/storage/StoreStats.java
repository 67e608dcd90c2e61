package org.hyphae.storage;

/**
 * How much a store holds.
 *
 * @param count the number of blocks or entries
 * @param bytes the total size of their values (block bytes, or key plus value bytes for a
 *     datastore), not counting the store's own overhead
 */
public record StoreStats(long count, long bytes) {

    /**
     * Checks the figures.
     *
     * @throws IllegalArgumentException if either is negative
     */
    public StoreStats {
        if (count < 0 || bytes < 0) {
            throw new IllegalArgumentException("negative store stats: count " + count + ", bytes " + bytes);
        }
    }
}
