package org.hyphae.files;

import java.time.Instant;
import java.util.Objects;

import org.hyphae.multiformats.Cid;

/**
 * A pinned root: the DAG under it is kept by garbage collection.
 *
 * @param root the pinned root CID
 * @param name a label given when pinning (the file or folder name for an add), maybe empty
 * @param since when it was pinned
 */
public record Pin(Cid root, String name, Instant since) {

    /**
     * Checks the fields.
     *
     * @param root not null
     * @param name not null
     * @param since not null
     */
    public Pin {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(since, "since");
    }
}
