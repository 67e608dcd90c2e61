package org.hyphae.ledger;

/** A transaction was refused; the message says why (signature, chain id, nonce, balance, fee, size). */
public class InvalidTransactionException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @param message why the transaction was refused, naming it
     */
    public InvalidTransactionException(String message) {
        super(message);
    }
}
