package org.hyphae.pubsub.gossipsub.internal;

import java.time.Duration;

/**
 * Peer scoring parameters of gossipsub v1.1 (the spec's "Overview of New Parameters"). The topic
 * parameters apply to every topic this node subscribes to; a topic weight of 0 switches topic
 * scoring off.
 *
 * @param gossipThreshold below it no gossip is sent to or accepted from a peer (&lt; 0)
 * @param publishThreshold below it a peer gets no self-published messages (&le; gossipThreshold)
 * @param graylistThreshold below it every RPC from a peer is ignored (&lt; publishThreshold)
 * @param acceptPxThreshold peer exchange is followed only from peers above it (&ge; 0)
 * @param opportunisticGraftThreshold median mesh score below which better peers are grafted (&ge; 0)
 * @param decayInterval how often counters decay
 * @param decayToZero a decayed counter below it becomes 0
 * @param retainScore how long a disconnected peer's score is kept
 * @param topicScoreCap cap on the sum of topic contributions (0: none)
 * @param appSpecificWeight weight of P5
 * @param ipColocationFactorWeight weight of P6 (&le; 0)
 * @param ipColocationFactorThreshold peers per IP tolerated before P6 applies
 * @param ipColocationIgnoreLoopback whether loopback addresses are exempt from P6 (tests, local runs)
 * @param behaviourPenaltyWeight weight of P7 (&le; 0)
 * @param behaviourPenaltyThreshold penalties tolerated before P7 applies
 * @param behaviourPenaltyDecay decay of the P7 counter
 * @param topicWeight weight of each topic's contribution
 * @param timeInMeshWeight weight of P1
 * @param timeInMeshQuantum time in mesh per P1 point
 * @param timeInMeshCap cap of P1
 * @param firstMessageDeliveriesWeight weight of P2
 * @param firstMessageDeliveriesDecay decay of P2
 * @param firstMessageDeliveriesCap cap of P2
 * @param meshMessageDeliveriesWeight weight of P3 (&le; 0; 0 switches P3 off)
 * @param meshMessageDeliveriesDecay decay of P3's counter
 * @param meshMessageDeliveriesThreshold deliveries expected; below it the deficit squared applies
 * @param meshMessageDeliveriesCap cap of P3's counter
 * @param meshMessageDeliveriesActivation time in mesh before P3 applies
 * @param meshMessageDeliveriesWindow how late a duplicate still counts as a near-first delivery
 * @param meshFailurePenaltyWeight weight of P3b (&le; 0)
 * @param meshFailurePenaltyDecay decay of P3b
 * @param invalidMessageDeliveriesWeight weight of P4 (&le; 0)
 * @param invalidMessageDeliveriesDecay decay of P4's counter
 */
public record ScoreParams(double gossipThreshold, double publishThreshold, double graylistThreshold,
        double acceptPxThreshold, double opportunisticGraftThreshold, Duration decayInterval, double decayToZero,
        Duration retainScore, double topicScoreCap, double appSpecificWeight, double ipColocationFactorWeight,
        double ipColocationFactorThreshold, boolean ipColocationIgnoreLoopback, double behaviourPenaltyWeight,
        double behaviourPenaltyThreshold, double behaviourPenaltyDecay, double topicWeight, double timeInMeshWeight,
        Duration timeInMeshQuantum, double timeInMeshCap, double firstMessageDeliveriesWeight,
        double firstMessageDeliveriesDecay, double firstMessageDeliveriesCap, double meshMessageDeliveriesWeight,
        double meshMessageDeliveriesDecay, double meshMessageDeliveriesThreshold, double meshMessageDeliveriesCap,
        Duration meshMessageDeliveriesActivation, Duration meshMessageDeliveriesWindow,
        double meshFailurePenaltyWeight, double meshFailurePenaltyDecay, double invalidMessageDeliveriesWeight,
        double invalidMessageDeliveriesDecay) {

    /** The defaults, also those of the Config Admin metatype. */
    public static ScoreParams defaults() {
        return new ScoreParams(-10, -50, -80, 10, 5, Duration.ofSeconds(1), 0.01, Duration.ofMinutes(10), 50,
                1, -10, 1, true, -1, 0, 0.99,
                1, 0.01, Duration.ofSeconds(1), 300, 1, 0.9, 20,
                0, 0.97, 1, 10, Duration.ofSeconds(5), Duration.ofMillis(10),
                0, 0.5, -10, 0.99);
    }

    /**
     * Checks the constraints the spec puts on the parameters.
     *
     * @throws IllegalArgumentException naming the first parameter that breaks one
     */
    public ScoreParams validate() {
        require(gossipThreshold <= 0, "gossip threshold must be <= 0");
        require(publishThreshold <= gossipThreshold, "publish threshold must be <= the gossip threshold");
        require(graylistThreshold < publishThreshold, "graylist threshold must be < the publish threshold");
        require(acceptPxThreshold >= 0, "accept-PX threshold must be >= 0");
        require(opportunisticGraftThreshold >= 0, "opportunistic graft threshold must be >= 0");
        require(ipColocationFactorWeight <= 0, "IP colocation weight must be <= 0");
        require(ipColocationFactorThreshold >= 1, "IP colocation threshold must be >= 1");
        require(behaviourPenaltyWeight <= 0, "behaviour penalty weight must be <= 0");
        require(meshMessageDeliveriesWeight <= 0, "mesh message deliveries weight must be <= 0");
        require(meshFailurePenaltyWeight <= 0, "mesh failure penalty weight must be <= 0");
        require(invalidMessageDeliveriesWeight <= 0, "invalid message deliveries weight must be <= 0");
        require(meshMessageDeliveriesCap >= meshMessageDeliveriesThreshold,
                "mesh message deliveries cap must be >= its threshold");
        for (double decay : new double[] {behaviourPenaltyDecay, firstMessageDeliveriesDecay,
                meshMessageDeliveriesDecay, meshFailurePenaltyDecay, invalidMessageDeliveriesDecay}) {
            require(decay > 0 && decay < 1, "decay factors must be in (0, 1)");
        }
        return this;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("invalid gossipsub score parameters: " + what);
        }
    }
}
