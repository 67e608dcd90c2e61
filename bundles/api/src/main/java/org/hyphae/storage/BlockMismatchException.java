package org.hyphae.storage;

import java.util.Objects;

import org.hyphae.multiformats.Cid;

/**
 * The bytes offered for a CID do not hash to it, or the CID's hash function cannot be checked.
 * Nothing was stored: a store never commits a block it could not verify.
 */
public class BlockMismatchException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final transient Cid cid;

    /**
     * Creates an exception.
     *
     * @param cid the CID the bytes were offered for
     * @param message what did not match, for example the length read and the hash function
     */
    public BlockMismatchException(Cid cid, String message) {
        super("block " + Objects.requireNonNull(cid, "cid") + ": " + message, null);
        this.cid = cid;
    }

    /**
     * Returns the CID the bytes were offered for.
     *
     * @return the CID
     */
    public Cid cid() {
        return cid;
    }
}
