package org.hyphae.files;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives progress of an add, export or fetch. Called on the thread doing the work, after each
 * block; keep it short.
 */
@ConsumerType
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores progress. */
    ProgressListener NONE = (bytes, total) -> { };

    /**
     * Reports progress.
     *
     * @param bytesDone file bytes processed so far (all files of a folder together)
     * @param bytesTotal the total if known in advance, else {@code -1}
     */
    void progress(long bytesDone, long bytesTotal);
}
