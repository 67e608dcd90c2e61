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
}
