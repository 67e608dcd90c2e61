package org.hyphae.consensus;

import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.InvalidBlockException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A way for peers to agree on blocks (proof of authority, BFT, proof of work). A whiteboard
 * service registered with the service property {@value #NAME_PROPERTY}; the chain's schedule says
 * which engine rules from which height, and the ledger asks that engine about every header of
 * its segment.
 *
 * <p>The division of work: the ledger checks everything that does not depend on the engine
 * (encoding, parent link, height, time after the parent and not in the future, transactions,
 * transaction and state roots) and applies blocks; the engine checks the header's right to exist
 * ({@link #verifyHeader}: seal, proposer, difficulty, a commit certificate), ranks forks
 * ({@link #weight}, {@link #finalizedHeight}) and, on nodes that take part, makes blocks through
 * an {@link EngineSession}. A BFT engine keeps finality ({@code finalizedHeight} = head) and gossips
 * its votes through {@link EngineContext#broadcast}; a proof-of-work engine returns work as weight.
 *
 * <p>Methods other than {@link #start} are pure with respect to the chain they are shown: they may
 * cache what they derive from headers (a signer snapshot), but must answer the same for the same
 * headers on every node.
 */
@ConsumerType
public interface ConsensusEngine {

    /** Service property with the engine's name as the chain file uses it, e.g. {@code poa}. */
    String NAME_PROPERTY = "consensus.name";

    /**
     * Checks a header against its parent under this engine's rules.
     *
     * @param chain the chain the header extends: the headers before it (which may not be canonical
     *     or even stored yet, during sync), the segment's parameters, signature checks
     * @param parent the parent header (already valid)
     * @param header the header to check; the ledger has checked its parent link and height
     * @throws InvalidBlockException if the header breaks a rule; the message says which
     */
    void verifyHeader(ChainView chain, BlockHeader parent, BlockHeader header) throws InvalidBlockException;

    /**
     * The fork-choice weight this block adds; the ledger follows the chain of greatest total
     * weight (ties: the first seen). Clique gives 2 for an in-turn block and 1 otherwise; proof of
     * work gives the block's work.
     *
     * @param chain the chain the header belongs to
     * @param header a header that passed {@link #verifyHeader}
     * @return a positive weight
     */
    long weight(ChainView chain, BlockHeader header);

    /**
     * The highest height that no reorg may undo, given a head. The ledger refuses a fork that
     * branches off below it.
     *
     * @param chain the chain of the head
     * @param head the head
     * @return a height at most {@code head.height()}; the head's own height for instant finality
     */
    long finalizedHeight(ChainView chain, BlockHeader head);

    /**
     * Starts taking part on this node: proposing, sealing, voting. Called when the engine's
     * segment begins or the engine's service appears while the head is in its segment.
     *
     * @param context what the engine may do on this node
     * @return the running session; the ledger closes it when the segment ends or the node stops
     */
    EngineSession start(EngineContext context);
}
