package org.hyphae.ledger;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's full copy of the replicated ledger: the canonical chain from genesis to its head,
 * the account state at the head, and the pool of transactions waiting for a block.
 *
 * <p>Every method is thread-safe. Reads see the state at one head, never a block half applied.
 */
@ProviderType
public interface Ledger {

    /**
     * The chain this ledger keeps.
     *
     * @return its spec, as read from the chain file
     */
    ChainSpec chainSpec();

    /**
     * Height of the current chain head; the genesis block is height 0.
     *
     * @return the head's height
     */
    long height();

    /**
     * The current head.
     *
     * @return the head's header
     */
    BlockHeader head();

    /**
     * A block of the canonical chain by height.
     *
     * @param height the height
     * @return the block, empty above the head
     */
    Optional<Block> block(long height);

    /**
     * A stored block by hash, canonical or not.
     *
     * @param hash the block's hash
     * @return the block, empty if unknown
     */
    Optional<Block> block(Hash hash);

    /**
     * Where a transaction was applied on the canonical chain.
     *
     * @param hash the transaction's id
     * @return its receipt, empty if it is not on the canonical chain
     */
    Optional<TransactionReceipt> transaction(Hash hash);

    /**
     * An account's state at the head.
     *
     * @param account the account
     * @return its balance and nonce ({@link Account#EMPTY} if it never appeared)
     */
    Account account(PeerId account);

    /**
     * The nonce a new transaction from this account should carry: the head's nonce plus the
     * account's transactions waiting in the mempool.
     *
     * @param account the account
     * @return the next nonce
     */
    long nextNonce(PeerId account);

    /**
     * Validates a signed transaction, adds it to the mempool and broadcasts it.
     *
     * @param transaction the signed transaction
     * @return completes with its id once it is in the mempool; fails with
     *     {@link InvalidTransactionException} saying why it was refused
     */
    CompletionStage<Hash> submit(Transaction transaction);

    /**
     * Transactions waiting for a block, in the order they would be included.
     *
     * @param max most to return
     * @return up to {@code max} pending transactions
     */
    List<Transaction> pending(int max);

    /**
     * A snapshot for shells and monitoring.
     *
     * @return the status
     */
    LedgerStatus status();

    /**
     * The heads the peers that serve this chain's sync protocol reported in the last sync round.
     *
     * @return one entry per such peer, highest first
     * @since 0.3.0
     */
    default List<PeerHead> peerHeads() {
        return List.of();
    }
}
