package org.hyphae.exchange;

/**
 * Counters of a {@link BlockExchange} since it started.
 *
 * @param blocksReceived verified blocks received that a session wanted
 * @param bytesReceived their bytes
 * @param duplicateBlocks blocks received again, or after they were no longer wanted
 * @param rejectedBlocks blocks refused: their bytes match no CID this node asked for
 * @param blocksSent blocks served to peers
 * @param bytesSent their bytes
 * @param activeSessions sessions open now
 * @param peersServing peers that delivered a block to this node in the last ten seconds
 * @param peersServed peers with a non-empty want list at this node now
 */
public record ExchangeStats(long blocksReceived, long bytesReceived, long duplicateBlocks, long rejectedBlocks,
        long blocksSent, long bytesSent, int activeSessions, int peersServing, int peersServed) {
}
