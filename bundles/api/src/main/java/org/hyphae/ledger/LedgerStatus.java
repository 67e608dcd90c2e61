package org.hyphae.ledger;

import java.util.Optional;

/**
 * A snapshot of the ledger for shells and monitoring.
 *
 * @param chainId the chain's id
 * @param genesis the genesis block's hash
 * @param head the head block's header
 * @param engine the engine that rules the next height
 * @param engineAvailable whether that engine's bundle is installed; if not, the node does not
 *     produce or import blocks beyond the head until it is
 * @param pendingTransactions transactions waiting in the mempool
 * @param peers peers that serve this chain's sync protocol
 * @param peersInSync of those, the ones whose head this node has
 * @param bestPeerHeight the highest head a peer reported, if any
 */
public record LedgerStatus(String chainId, Hash genesis, BlockHeader head, String engine, boolean engineAvailable,
        int pendingTransactions, int peers, int peersInSync, Optional<Long> bestPeerHeight) {

    /**
     * The bundle that ships an engine, by the project's naming: {@code org.hyphae.consensus.<name>}
     * registers the engine whose {@code consensus.name} is {@code <name>}.
     *
     * @param engine the engine's {@code consensus.name}
     * @return the bundle's symbolic name
     */
    public static String engineBundle(String engine) {
        return "org.hyphae.consensus." + engine;
    }

    /**
     * The bundle the node waits for: while the engine that rules the next height is missing the
     * node stops at its head, and goes on once a bundle registering that engine starts (dropped
     * into {@code deploy/}, for example).
     *
     * @return {@link #engineBundle(String)} of {@link #engine()} if it is not installed, else empty
     */
    public Optional<String> missingBundle() {
        return engineAvailable ? Optional.empty() : Optional.of(engineBundle(engine));
    }
}
