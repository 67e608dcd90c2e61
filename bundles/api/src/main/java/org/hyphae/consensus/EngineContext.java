package org.hyphae.consensus;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a running engine may do on this node: read the chain, sign with the node's key, assemble
 * blocks from the mempool, hand sealed blocks to the ledger, and exchange its own messages with the
 * same engine on other nodes (over a pubsub topic of its own).
 */
@ProviderType
public interface EngineContext extends ChainView {

    /**
     * This node's peer id, the identity the engine signs as.
     *
     * @return the local peer id
     */
    PeerId localPeer();

    /**
     * Signs with this node's key.
     *
     * @param data what to sign
     * @return the 64-byte Ed25519 signature
     */
    byte[] sign(byte[] data);

    /**
     * The canonical head now.
     *
     * @return its header
     */
    BlockHeader head();

    /**
     * Builds an unsealed block on a parent from the mempool's best transactions: roots computed,
     * this node as proposer, an empty seal.
     *
     * @param parent the header to build on
     * @param time the block's time, milliseconds since the epoch, after the parent's
     * @return the block, ready to seal
     */
    Block assemble(BlockHeader parent, long time);

    /**
     * As {@link #assemble(BlockHeader, long)}, with at most {@code maxTransactions} transactions (fewer
     * if the chain's own limit is lower): an engine whose rounds fail under load proposes smaller
     * blocks, which are quicker to build, send and check.
     *
     * @param parent the header to build on
     * @param time the block's time, milliseconds since the epoch, after the parent's
     * @param maxTransactions the most transactions to include, at least 0
     * @return the block, ready to seal
     * @since 0.3.0
     */
    Block assemble(BlockHeader parent, long time, int maxTransactions);

    /**
     * Checks a block's body and roots against its parent's state without applying it (for engines
     * that vote on proposals before sealing).
     *
     * @param block an unsealed or sealed block
     * @return completes when valid; fails with {@link org.hyphae.ledger.InvalidBlockException}
     */
    CompletionStage<Void> validate(Block block);

    /**
     * Imports a sealed block made here and broadcasts it.
     *
     * @param block the sealed block
     * @return completes once applied (as head or side block); fails with
     *     {@link org.hyphae.ledger.InvalidBlockException} if it is refused
     */
    CompletionStage<Void> propose(Block block);

    /**
     * Sends an engine message to the same engine on every node of the chain.
     *
     * @param message the engine's own bytes
     */
    void broadcast(byte[] message);

    /**
     * A single thread for the engine's timers and state; the ledger shuts it down with the session.
     *
     * @return the scheduler
     */
    ScheduledExecutorService scheduler();
}
