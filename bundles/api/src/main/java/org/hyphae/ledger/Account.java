package org.hyphae.ledger;

/**
 * An account's state: its balance and how many of its transactions have been applied.
 *
 * @param balance the balance, at least 0
 * @param nonce the nonce the account's next transaction must carry
 */
public record Account(long balance, long nonce) {

    /** An account that never received or sent anything. */
    public static final Account EMPTY = new Account(0, 0);
}
