package org.hyphae.pubsub.gossipsub.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

import org.hyphae.identity.PeerId;

/**
 * Gossipsub v1.1 peer scores (spec "The Score Function"): per topic P1 time in mesh, P2 first
 * message deliveries, P3 mesh message delivery rate, P3b mesh failure penalty, P4 invalid messages;
 * globally P5 application score, P6 IP colocation, P7 behaviour penalty. Counters decay every
 * decay interval ({@link #refresh()}); a disconnected peer's counters are kept for the retain time so
 * that reconnecting does not wash a bad score.
 *
 * <p>Not thread-safe: the router calls it from its own thread only.
 */
final class PeerScore {

    /** Per-topic counters of one peer. */
    static final class TopicStats {
        boolean inMesh;
        long graftTime;
        long meshTime;
        double firstMessageDeliveries;
        double meshMessageDeliveries;
        boolean meshMessageDeliveriesActive;
        double meshFailurePenalty;
        double invalidMessageDeliveries;
    }

    /** Counters of one peer. */
    static final class PeerStats {
        boolean connected = true;
        long expire;
        final Map<String, TopicStats> topics = new HashMap<>();
        String ip;
        double behaviourPenalty;
    }

    private volatile ScoreParams params;
    private final LongSupplier nanos;
    private final Set<String> scoredTopics;
    private final Map<PeerId, PeerStats> peers = new HashMap<>();
    private final Map<String, Set<PeerId>> peerIps = new HashMap<>();
    private ToDoubleFunction<PeerId> appScore = p -> 0;
    private long lastDecay;

    /**
     * @param scoredTopics the topics whose behaviour counts (the router's subscriptions): a peer
     *     cannot make us keep counters for topics we do not care about
     */
    PeerScore(ScoreParams params, LongSupplier nanos, Set<String> scoredTopics) {
        this.params = params;
        this.nanos = nanos;
        this.scoredTopics = scoredTopics;
        this.lastDecay = nanos.getAsLong();
    }

    void params(ScoreParams p) {
        this.params = p;
    }

    ScoreParams params() {
        return params;
    }

    void appScore(ToDoubleFunction<PeerId> f) {
        this.appScore = f;
    }

    // ------------------------------------------------------------------------------ lifecycle

    void addPeer(PeerId peer, String ip) {
        PeerStats s = peers.computeIfAbsent(peer, k -> new PeerStats());
        s.connected = true;
        setIp(peer, s, ip);
    }

    void removePeer(PeerId peer) {
        PeerStats s = peers.get(peer);
        if (s == null) {
            return;
        }
        if (score(peer) > 0) {
            // Nothing to remember about a good peer: keeping it would only let it come back with a bonus.
            peers.remove(peer);
            setIp(peer, s, null);
            return;
        }
        for (TopicStats t : s.topics.values()) {
            t.firstMessageDeliveries = 0;
            applyMeshFailure(t);
            t.inMesh = false;
            t.meshMessageDeliveriesActive = false;
        }
        s.connected = false;
        s.expire = nanos.getAsLong() + params.retainScore().toNanos();
        setIp(peer, s, null);
    }

    private void setIp(PeerId peer, PeerStats s, String ip) {
        if (s.ip != null) {
            Set<PeerId> set = peerIps.get(s.ip);
            if (set != null) {
                set.remove(peer);
                if (set.isEmpty()) {
                    peerIps.remove(s.ip);
                }
            }
        }
        s.ip = ip;
        if (ip != null) {
            peerIps.computeIfAbsent(ip, k -> new HashSet<>()).add(peer);
        }
    }

    void graft(PeerId peer, String topic) {
        TopicStats t = topicStats(peer, topic);
        if (t != null) {
            t.inMesh = true;
            t.graftTime = nanos.getAsLong();
            t.meshTime = 0;
            t.meshMessageDeliveriesActive = false;
        }
    }

    void prune(PeerId peer, String topic) {
        TopicStats t = topicStats(peer, topic);
        if (t != null) {
            applyMeshFailure(t);
            t.inMesh = false;
        }
    }

    private void applyMeshFailure(TopicStats t) {
        ScoreParams p = params;
        if (t.meshMessageDeliveriesActive && t.meshMessageDeliveries < p.meshMessageDeliveriesThreshold()) {
            double deficit = p.meshMessageDeliveriesThreshold() - t.meshMessageDeliveries;
            t.meshFailurePenalty += deficit * deficit;
        }
    }

    // ------------------------------------------------------------------------------ events

    /** P2, and P3 if in mesh: {@code peer} was first to deliver a valid message. */
    void firstDelivery(PeerId peer, String topic) {
        TopicStats t = topicStats(peer, topic);
        if (t == null) {
            return;
        }
        ScoreParams p = params;
        t.firstMessageDeliveries = Math.min(t.firstMessageDeliveries + 1, p.firstMessageDeliveriesCap());
        if (t.inMesh) {
            t.meshMessageDeliveries = Math.min(t.meshMessageDeliveries + 1, p.meshMessageDeliveriesCap());
        }
    }

    /** P3: a mesh peer delivered a valid message we had already, soon enough to count as near-first. */
    void nearFirstDelivery(PeerId peer, String topic, long validatedAt) {
        TopicStats t = topicStats(peer, topic);
        if (t == null || !t.inMesh) {
            return;
        }
        ScoreParams p = params;
        if (validatedAt != 0 && nanos.getAsLong() - validatedAt > p.meshMessageDeliveriesWindow().toNanos()) {
            return;
        }
        t.meshMessageDeliveries = Math.min(t.meshMessageDeliveries + 1, p.meshMessageDeliveriesCap());
    }

    /** P4: {@code peer} delivered an invalid message on {@code topic}. */
    void invalidDelivery(PeerId peer, String topic) {
        TopicStats t = topicStats(peer, topic);
        if (t != null) {
            t.invalidMessageDeliveries += 1;
        }
    }

    /** P7: {@code peer} misbehaved {@code count} times. */
    void behaviourPenalty(PeerId peer, double count) {
        PeerStats s = peers.get(peer);
        if (s != null) {
            s.behaviourPenalty += count;
        }
    }

    private TopicStats topicStats(PeerId peer, String topic) {
        PeerStats s = peers.get(peer);
        if (s == null || topic == null || !scoredTopics.contains(topic) || params.topicWeight() == 0) {
            return null;
        }
        return s.topics.computeIfAbsent(topic, k -> new TopicStats());
    }

    // ------------------------------------------------------------------------------ the score

    double score(PeerId peer) {
        PeerStats s = peers.get(peer);
        if (s == null) {
            return appScore.applyAsDouble(peer) * params.appSpecificWeight();
        }
        ScoreParams p = params;
        double topicScore = 0;
        long now = nanos.getAsLong();
        for (Map.Entry<String, TopicStats> e : s.topics.entrySet()) {
            TopicStats t = e.getValue();
            double ts = 0;
            if (t.inMesh) {
                long meshTime = now - t.graftTime;
                double p1 = (double) meshTime / Math.max(1, p.timeInMeshQuantum().toNanos());
                ts += Math.min(p1, p.timeInMeshCap()) * p.timeInMeshWeight();
            }
            ts += t.firstMessageDeliveries * p.firstMessageDeliveriesWeight();
            if (t.meshMessageDeliveriesActive && t.meshMessageDeliveries < p.meshMessageDeliveriesThreshold()) {
                double deficit = p.meshMessageDeliveriesThreshold() - t.meshMessageDeliveries;
                ts += deficit * deficit * p.meshMessageDeliveriesWeight();
            }
            ts += t.meshFailurePenalty * p.meshFailurePenaltyWeight();
            ts += t.invalidMessageDeliveries * t.invalidMessageDeliveries * p.invalidMessageDeliveriesWeight();
            topicScore += ts * p.topicWeight();
        }
        if (p.topicScoreCap() > 0 && topicScore > p.topicScoreCap()) {
            topicScore = p.topicScoreCap();
        }
        double score = topicScore;
        score += appScore.applyAsDouble(peer) * p.appSpecificWeight();
        if (s.ip != null && !(p.ipColocationIgnoreLoopback() && isLoopback(s.ip))) {
            Set<PeerId> sharing = peerIps.get(s.ip);
            int n = sharing == null ? 0 : sharing.size();
            if (n > p.ipColocationFactorThreshold()) {
                double surplus = n - p.ipColocationFactorThreshold();
                score += surplus * surplus * p.ipColocationFactorWeight();
            }
        }
        if (s.behaviourPenalty > p.behaviourPenaltyThreshold()) {
            double excess = s.behaviourPenalty - p.behaviourPenaltyThreshold();
            score += excess * excess * p.behaviourPenaltyWeight();
        }
        return score;
    }

    static boolean isLoopback(String ip) {
        return ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1");
    }

    // ------------------------------------------------------------------------------ decay

    /** Decays the counters if a decay interval has passed, and forgets expired peers. */
    void refresh() {
        ScoreParams p = params;
        long now = nanos.getAsLong();
        long interval = Math.max(1, p.decayInterval().toNanos());
        if (now - lastDecay < interval) {
            return;
        }
        long rounds = Math.min(100, (now - lastDecay) / interval);
        lastDecay += rounds * interval;
        Iterator<Map.Entry<PeerId, PeerStats>> it = peers.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<PeerId, PeerStats> e = it.next();
            PeerStats s = e.getValue();
            if (!s.connected && now > s.expire) {
                it.remove();
                continue;
            }
            for (long r = 0; r < rounds; r++) {
                decay(s, p, now);
            }
        }
    }

    private static void decay(PeerStats s, ScoreParams p, long now) {
        for (TopicStats t : s.topics.values()) {
            t.firstMessageDeliveries = zero(t.firstMessageDeliveries * p.firstMessageDeliveriesDecay(), p);
            t.meshMessageDeliveries = zero(t.meshMessageDeliveries * p.meshMessageDeliveriesDecay(), p);
            t.meshFailurePenalty = zero(t.meshFailurePenalty * p.meshFailurePenaltyDecay(), p);
            t.invalidMessageDeliveries = zero(t.invalidMessageDeliveries * p.invalidMessageDeliveriesDecay(), p);
            if (t.inMesh) {
                t.meshTime = now - t.graftTime;
                if (t.meshTime > p.meshMessageDeliveriesActivation().toNanos()) {
                    t.meshMessageDeliveriesActive = true;
                }
            }
        }
        s.behaviourPenalty = zero(s.behaviourPenalty * p.behaviourPenaltyDecay(), p);
    }

    private static double zero(double v, ScoreParams p) {
        return v < p.decayToZero() ? 0 : v;
    }

    /** Forgets the counters of a topic we left (they no longer count). */
    void forgetTopic(String topic) {
        for (PeerStats s : peers.values()) {
            s.topics.remove(topic);
        }
    }

    /** Snapshot for shells and tests: peer, score and its P7 counter. */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<PeerId, PeerStats> e : peers.entrySet()) {
            out.add(e.getKey() + " score=" + String.format("%.2f", score(e.getKey())) + " p7="
                    + String.format("%.2f", e.getValue().behaviourPenalty) + (e.getValue().connected ? "" : " (gone)"));
        }
        return out;
    }

    /** The P4 counter of a peer on a topic, for tests. */
    double invalidDeliveries(PeerId peer, String topic) {
        PeerStats s = peers.get(peer);
        TopicStats t = s == null ? null : s.topics.get(topic);
        return t == null ? 0 : t.invalidMessageDeliveries;
    }

    /** The P7 counter of a peer, for tests. */
    double behaviourPenalty(PeerId peer) {
        PeerStats s = peers.get(peer);
        return s == null ? 0 : s.behaviourPenalty;
    }
}
