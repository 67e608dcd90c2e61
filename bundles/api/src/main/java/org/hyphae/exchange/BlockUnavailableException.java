package org.hyphae.exchange;

import java.io.IOException;

import org.hyphae.multiformats.Cid;

/** No peer delivered a block in time: none had it, or those that said so never sent it. */
public class BlockUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Cid cid;

    /**
     * Creates the exception.
     *
     * @param cid the block that could not be got
     * @param message what was tried; the CID is added
     */
    public BlockUnavailableException(Cid cid, String message) {
        super(message + " (block " + cid + ")");
        this.cid = cid;
    }

    /**
     * Returns the block that could not be got.
     *
     * @return its CID
     */
    public Cid cid() {
        return cid;
    }
}
