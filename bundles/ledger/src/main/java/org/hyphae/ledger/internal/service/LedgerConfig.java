package org.hyphae.ledger.internal.service;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The ledger's configuration (PID {@value LedgerService#PID}). */
// The component also follows the storage selection PID, so the metatype names its PID here instead of a Designate.
@ObjectClassDefinition(pid = LedgerService.PID, name = "Hyphae ledger", description = "The chain file, sync and mempool limits")
public @interface LedgerConfig {

    /** The chain file. */
    @AttributeDefinition(description = "chain file (properties); empty: <data>/chain.properties if present, else the "
            + "distribution's config/dev-chain.properties, where this node is the only signer")
    String chainFile() default "";

    /** Sync round interval. */
    @AttributeDefinition(description = "milliseconds between sync rounds (status of every peer)")
    long syncIntervalMs() default 2000;

    /** Block size. */
    @AttributeDefinition(description = "most transactions per block")
    int maxBlockTransactions() default 4000;

    /** Clock drift allowed. */
    @AttributeDefinition(description = "how far a block's time may be ahead of this node's clock, ms")
    long maxFutureMillis() default 5000;

    /** Mempool size. */
    @AttributeDefinition(description = "most pending transactions")
    int mempoolSize() default 50000;

    /** Per sender. */
    @AttributeDefinition(description = "most pending transactions per sender")
    int mempoolPerSender() default 1000;

    /** Minimum fee. */
    @AttributeDefinition(description = "lowest fee admitted to the mempool")
    long minFee() default 0;

    /** Ban time. */
    @AttributeDefinition(description = "how long a peer that served invalid chain data is ignored by sync, ms")
    long banMillis() default 600000;

    /** Transactions waiting for their signature check at a time; more are refused as "busy". */
    @AttributeDefinition(description = "transactions (submitted or gossiped) that may wait for their signature check at a time; "
            + "beyond, submissions are answered 'busy, try again later' and gossiped batches ignored")
    int intakeCapacity() default 4096;
}
