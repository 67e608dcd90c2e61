package org.hyphae.ledger;

/**
 * Where an applied transaction is on the canonical chain.
 *
 * @param transaction the transaction
 * @param blockHeight the height of the block that applied it
 * @param blockHash that block's hash
 * @param index its position in the block
 */
public record TransactionReceipt(Transaction transaction, long blockHeight, Hash blockHash, int index) {
}
