package org.hyphae.exchange;

import org.hyphae.multiformats.Cid;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Gets blocks from peers and serves this node's blocks to them. A download opens an
 * {@link ExchangeSession}, which learns which peers hold the content and spreads its requests over
 * them; blocks are served from the node's {@link org.hyphae.storage.BlockStore} to every peer that
 * asks, within the implementation's limits.
 *
 * <p><b>Threads.</b> Every method may be called from any number of threads at once.
 */
@ProviderType
public interface BlockExchange {

    /**
     * Opens a session for one download (one DAG). Requests made through it go first to the peers
     * that answered earlier requests of the same session.
     *
     * @param name a label for logs and statistics, e.g. the root CID
     * @return the session; close it when the download ends
     * @throws IllegalStateException if the exchange is stopped
     */
    ExchangeSession newSession(String name);

    /**
     * Tells the exchange that a block was just stored locally (by an import, say), so that peers
     * that asked for it earlier get it now.
     *
     * @param cid the block now in the store
     */
    void announce(Cid cid);

    /**
     * Returns counters since the exchange started.
     *
     * @return a snapshot of the counters
     */
    ExchangeStats stats();
}
