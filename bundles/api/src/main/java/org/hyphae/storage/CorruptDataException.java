package org.hyphae.storage;

import java.util.Optional;

import org.hyphae.multiformats.Cid;

/**
 * Stored data failed verification: a block whose bytes no longer hash to its CID, a truncated or
 * foreign file, a damaged database file. The data is not returned and the store does not rewrite
 * it; an operator decides what to do with the file named by {@link #resource()}.
 */
public class CorruptDataException extends StorageException {

    private static final long serialVersionUID = 1L;

    private final transient Cid cid;

    /**
     * Creates an exception about a block.
     *
     * @param cid the block's CID, or {@code null} if the damage is not tied to one block
     * @param message what failed verification
     * @param resource the file or connection holding the damaged data
     * @param cause the underlying failure, or {@code null}
     */
    public CorruptDataException(Cid cid, String message, String resource, Throwable cause) {
        super(message, resource, cause);
        this.cid = cid;
    }

    /**
     * Returns the CID of the damaged block.
     *
     * @return the CID, or empty if the damage is not tied to one block
     */
    public Optional<Cid> cid() {
        return Optional.ofNullable(cid);
    }
}
