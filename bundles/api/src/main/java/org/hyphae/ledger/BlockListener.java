package org.hyphae.ledger;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears of new canonical heads. A whiteboard service: the ledger calls every registered listener.
 */
@ConsumerType
@FunctionalInterface
public interface BlockListener {

    /**
     * A block became the head of the canonical chain (after a reorg, only the new head is
     * reported). Called on the ledger's thread: return quickly.
     *
     * @param block the new head
     */
    void onHead(Block block);
}
