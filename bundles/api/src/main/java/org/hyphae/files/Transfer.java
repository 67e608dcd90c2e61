package org.hyphae.files;

import java.time.Instant;
import java.util.Objects;

import org.hyphae.multiformats.Cid;

/**
 * A fetch from the swarm running now ({@link FileSharing#transfers()}): how far it is.
 *
 * @param root the root being fetched
 * @param bytesDone file bytes fetched or found stored so far
 * @param bytesTotal the file's total size once known, else {@code -1} (a folder's stays unknown)
 * @param started when the fetch began
 */
public record Transfer(Cid root, long bytesDone, long bytesTotal, Instant started) {

    /**
     * Checks the fields.
     *
     * @param root not null
     * @param bytesDone not negative
     * @param bytesTotal {@code -1} or not negative
     * @param started not null
     */
    public Transfer {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(started, "started");
        if (bytesDone < 0 || bytesTotal < -1) {
            throw new IllegalArgumentException("bytes done " + bytesDone + " and total " + bytesTotal + " must not be negative");
        }
    }
}
