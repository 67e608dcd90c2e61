package org.hyphae.files;

import java.io.IOException;

import org.hyphae.multiformats.Cid;

/**
 * A DAG that cannot be exported: a block that is not valid dag-pb or UnixFS, a cycle, sizes that do
 * not add up (a node declaring more or less than its children hold), a missing block, or a codec
 * that is not UnixFS. Names the offending block's CID. Nothing past the bad block is written.
 */
public class InvalidDagException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Cid cid;

    /**
     * Creates the exception.
     *
     * @param cid the block at fault
     * @param message what is wrong with it; the CID is added
     */
    public InvalidDagException(Cid cid, String message) {
        super(message + " (block " + cid + ")");
        this.cid = cid;
    }

    /**
     * Creates the exception with a cause.
     *
     * @param cid the block at fault
     * @param message what is wrong with it; the CID is added
     * @param cause what was thrown while reading it
     */
    public InvalidDagException(Cid cid, String message, Throwable cause) {
        super(message + " (block " + cid + ")", cause);
        this.cid = cid;
    }

    /**
     * Returns the block at fault.
     *
     * @return its CID
     */
    public Cid cid() {
        return cid;
    }
}
