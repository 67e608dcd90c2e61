package org.hyphae.pubsub.gossipsub.internal;

import java.time.Duration;

/**
 * The router's overlay and protocol parameters (gossipsub v1.0 and v1.1 specs; defaults as there
 * and as in go-libp2p-pubsub).
 *
 * @param d desired mesh degree
 * @param dLo fewer mesh peers than this: graft more
 * @param dHi more mesh peers than this: prune
 * @param dLazy minimum number of peers gossip is emitted to
 * @param dScore peers kept by score when pruning an oversubscribed mesh
 * @param dOut outbound-connection peers kept in the mesh (&lt; dLo, &le; d/2)
 * @param heartbeatInterval time between heartbeats; zero: heartbeats only when called (tests)
 * @param historyLength message cache windows
 * @param historyGossip windows whose ids are gossiped
 * @param fanoutTtl how long fanout state of a topic lives after the last publish
 * @param seenTtl how long a message id is remembered
 * @param pruneBackoff backoff after a prune
 * @param unsubscribeBackoff backoff sent to mesh peers when leaving a topic
 * @param graftFloodThreshold a GRAFT this soon after a PRUNE costs an extra penalty
 * @param gossipFactor share of eligible peers gossip goes to
 * @param gossipRetransmission how often one peer may get the same message through IWANT
 * @param maxIHaveMessages IHAVE messages accepted per peer and heartbeat
 * @param maxIHaveLength message ids asked for per peer and heartbeat
 * @param iwantFollowupTime time a peer has to deliver what it advertised and we asked for
 * @param prunePeers peers offered through peer exchange in a PRUNE
 * @param doPx whether to offer peer exchange
 * @param floodPublish whether own messages go to every peer on the topic above the publish threshold
 * @param opportunisticGraftTicks heartbeats between opportunistic grafts
 * @param opportunisticGraftPeers peers grafted opportunistically
 * @param strictSign true: StrictSign (sign, require and verify signatures); false: StrictNoSign
 * @param maxMessageSize largest message (encoded) accepted or published
 * @param maxRpcSize largest length-prefixed RPC frame read; a larger one resets the stream
 * @param maxOutboundQueueBytes bytes queued to one peer before further messages to it are dropped
 * @param validationTimeout how long a topic validator may take before the message is ignored
 * @param connectRetry how long to wait before opening a pubsub stream to a peer again after a failure
 */
public record RouterParams(int d, int dLo, int dHi, int dLazy, int dScore, int dOut, Duration heartbeatInterval,
        int historyLength, int historyGossip, Duration fanoutTtl, Duration seenTtl, Duration pruneBackoff,
        Duration unsubscribeBackoff, Duration graftFloodThreshold, double gossipFactor, int gossipRetransmission,
        int maxIHaveMessages, int maxIHaveLength, Duration iwantFollowupTime, int prunePeers, boolean doPx,
        boolean floodPublish, int opportunisticGraftTicks, int opportunisticGraftPeers, boolean strictSign,
        int maxMessageSize, int maxRpcSize, long maxOutboundQueueBytes, Duration validationTimeout,
        Duration connectRetry) {

    /** The defaults, also those of the Config Admin metatype. */
    public static RouterParams defaults() {
        return new RouterParams(6, 5, 12, 6, 4, 2, Duration.ofSeconds(1), 5, 3, Duration.ofSeconds(60),
                Duration.ofMinutes(2), Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofSeconds(10), 0.25, 3,
                10, 5000, Duration.ofSeconds(3), 16, true, true, 60, 2, true, 1 << 20, 4 << 20, 32L << 20,
                Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    /** A copy with another heartbeat interval. */
    public RouterParams withHeartbeatInterval(Duration interval) {
        return new RouterParams(d, dLo, dHi, dLazy, dScore, dOut, interval, historyLength, historyGossip, fanoutTtl,
                seenTtl, pruneBackoff, unsubscribeBackoff, graftFloodThreshold, gossipFactor, gossipRetransmission,
                maxIHaveMessages, maxIHaveLength, iwantFollowupTime, prunePeers, doPx, floodPublish,
                opportunisticGraftTicks, opportunisticGraftPeers, strictSign, maxMessageSize, maxRpcSize,
                maxOutboundQueueBytes, validationTimeout, connectRetry);
    }

    /** A copy with flood publishing on or off. */
    public RouterParams withFloodPublish(boolean flood) {
        return new RouterParams(d, dLo, dHi, dLazy, dScore, dOut, heartbeatInterval, historyLength, historyGossip,
                fanoutTtl, seenTtl, pruneBackoff, unsubscribeBackoff, graftFloodThreshold, gossipFactor,
                gossipRetransmission, maxIHaveMessages, maxIHaveLength, iwantFollowupTime, prunePeers, doPx, flood,
                opportunisticGraftTicks, opportunisticGraftPeers, strictSign, maxMessageSize, maxRpcSize,
                maxOutboundQueueBytes, validationTimeout, connectRetry);
    }

    /** A copy with another signing policy. */
    public RouterParams withStrictSign(boolean sign) {
        return new RouterParams(d, dLo, dHi, dLazy, dScore, dOut, heartbeatInterval, historyLength, historyGossip,
                fanoutTtl, seenTtl, pruneBackoff, unsubscribeBackoff, graftFloodThreshold, gossipFactor,
                gossipRetransmission, maxIHaveMessages, maxIHaveLength, iwantFollowupTime, prunePeers, doPx,
                floodPublish, opportunisticGraftTicks, opportunisticGraftPeers, sign, maxMessageSize, maxRpcSize,
                maxOutboundQueueBytes, validationTimeout, connectRetry);
    }

    /**
     * Checks the spec's constraints between the parameters.
     *
     * @throws IllegalArgumentException naming the first one broken
     */
    public RouterParams validate() {
        require(d >= 0 && dLo >= 0 && dLo <= d && dHi >= d, "need 0 <= D_lo <= D <= D_hi");
        require(dOut >= 0 && (dOut < dLo || dLo == 0) && dOut <= d / 2, "D_out must be < D_lo and <= D/2");
        require(dScore >= 0 && dScore <= dHi, "D_score must be in [0, D_hi]");
        require(historyGossip > 0 && historyGossip <= historyLength, "history gossip must be in [1, history length]");
        require(gossipFactor >= 0 && gossipFactor <= 1, "gossip factor must be in [0, 1]");
        require(maxMessageSize > 0 && maxRpcSize >= maxMessageSize, "max RPC size must be >= max message size > 0");
        require(!heartbeatInterval.isNegative(), "heartbeat interval must not be negative");
        return this;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("invalid gossipsub parameters: " + what);
        }
    }
}
