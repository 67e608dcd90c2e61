package org.hyphae.consensus;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.BlockHeader;
import org.osgi.annotation.versioning.ConsumerType;

/** An engine taking part on this node, from {@link ConsensusEngine#start}. */
@ConsumerType
public interface EngineSession extends AutoCloseable {

    /**
     * The canonical head changed (a new block or a reorg). Called on the ledger's thread: hand
     * work to {@link EngineContext#scheduler()}.
     *
     * @param head the new head
     */
    void onHead(BlockHeader head);

    /**
     * A message from the same engine on another node arrived.
     *
     * @param from the node that wrote it (authenticated by pubsub's signature)
     * @param message its bytes
     */
    void onMessage(PeerId from, byte[] message);

    /** Stops taking part: timers cancelled, nothing more proposed. */
    @Override
    void close();
}
