package org.hyphae.ledger;

/**
 * A block or header was refused; the message says which block and why (parent, height, time, roots,
 * seal, a transaction).
 */
public class InvalidBlockException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param message why the block was refused, naming it
     */
    public InvalidBlockException(String message) {
        super(message);
    }

    /**
     * @param message why the block was refused, naming it
     * @param cause the underlying failure
     */
    public InvalidBlockException(String message, Throwable cause) {
        super(message, cause);
    }
}
