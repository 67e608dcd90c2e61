package org.hyphae.ledger;

import org.osgi.annotation.versioning.ProviderType;

/**
 * This node's full copy of the replicated ledger.
 *
 * <p>First draft: the ledger issue adds blocks, transactions and events.
 */
@ProviderType
public interface Ledger {

    /** Height of the current chain head; the genesis block is height 0. */
    long height();
}
