package org.hyphae.pubsub.gossipsub.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.hyphae.identity.PeerId;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Graft;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Prune;
import org.hyphae.pubsub.gossipsub.internal.Rpc.SubOpts;
import org.hyphae.transport.Direction;

/**
 * The overlay (gossipsub v1.0 "Mesh Maintenance", v1.1 mesh rules): the mesh of each topic we are
 * subscribed to and the fanout of topics we only publish on; joining and leaving; GRAFT and PRUNE
 * both ways (with backoff, the spam rules of v1.1 and peer exchange); the heartbeat's upkeep (drop
 * gone and negative peers, fill below D_lo, trim above D_hi keeping the best D_score and D_out
 * outbound peers, opportunistic grafting); and which peers a message goes to. Router thread only.
 */
final class MeshMaintenance {

    private final Supplier<RouterParams> params;
    private final PeerTable peers;
    private final PeerScore score;
    private final BackoffTable backoff;
    private final PeerExchange px;
    private final RouterCounters counters;
    private final LongSupplier nanos;

    private final Map<String, Set<PeerId>> mesh;
    private final Map<String, Set<PeerId>> fanout = new HashMap<>();
    private final Map<String, Long> fanoutLastPublished = new HashMap<>();

    /** @param mesh the mesh map, shared with {@link PeerScore} (its keys are the scored topics) */
    MeshMaintenance(Supplier<RouterParams> params, PeerTable peers, PeerScore score, BackoffTable backoff,
            PeerExchange px, RouterCounters counters, LongSupplier nanos, Map<String, Set<PeerId>> mesh) {
        this.params = params;
        this.peers = peers;
        this.score = score;
        this.backoff = backoff;
        this.px = px;
        this.counters = counters;
        this.nanos = nanos;
        this.mesh = mesh;
    }

    boolean subscribed(String topic) {
        return mesh.containsKey(topic);
    }

    Set<String> topics() {
        return mesh.keySet();
    }

    Set<PeerId> mesh(String topic) {
        return mesh.getOrDefault(topic, Set.of());
    }

    // ------------------------------------------------------------------------------- join, leave

    /** Joins {@code topic}: announce it, take fanout peers first, graft up to D. */
    void join(String topic) {
        if (mesh.containsKey(topic)) {
            return;
        }
        RouterParams rp = params.get();
        Set<PeerId> m = new LinkedHashSet<>();
        mesh.put(topic, m);
        for (RouterPeer p : peers.all()) {
            if (p.active()) {
                p.outbound.subs.add(new SubOpts(true, topic));
                peers.dirty(p);
            }
        }
        Set<PeerId> f = fanout.remove(topic);
        fanoutLastPublished.remove(topic);
        if (f != null) {
            for (PeerId q : f) {
                RouterPeer p = peers.get(q);
                if (m.size() < rp.d() && p != null && p.active() && p.meshsub() && !backoff.active(topic, q)
                        && score.score(q) >= 0) {
                    m.add(q);
                }
            }
        }
        for (RouterPeer p : candidates(topic, m, rp.d() - m.size(), q -> score.score(q.id) >= 0)) {
            m.add(p.id);
        }
        for (PeerId q : m) {
            graft(peers.get(q), topic);
        }
    }

    /** Leaves {@code topic}: announce it, PRUNE the mesh with the unsubscribe backoff. */
    void leave(String topic) {
        Set<PeerId> m = mesh.remove(topic);
        if (m == null) {
            return;
        }
        for (RouterPeer p : peers.all()) {
            if (p.active()) {
                p.outbound.subs.add(new SubOpts(false, topic));
                peers.dirty(p);
            }
        }
        Duration bo = params.get().unsubscribeBackoff();
        for (PeerId q : m) {
            score.prune(q, topic);
            RouterPeer p = peers.get(q);
            if (p != null) {
                backoff.add(q, topic, bo);
                sendPrune(p, topic, false, bo);
            }
        }
        score.forgetTopic(topic);
    }

    /** A peer left {@code topic}. */
    void peerLeft(RouterPeer p, String topic) {
        Set<PeerId> m = mesh.get(topic);
        if (m != null && m.remove(p.id)) {
            score.prune(p.id, topic);
        }
        Set<PeerId> f = fanout.get(topic);
        if (f != null) {
            f.remove(p.id);
        }
    }

    /** A peer's outbound stream is gone: it leaves every mesh and fanout. */
    void peerGone(RouterPeer p) {
        for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
            if (e.getValue().remove(p.id)) {
                score.prune(p.id, e.getKey());
            }
        }
        for (Set<PeerId> f : fanout.values()) {
            f.remove(p.id);
        }
    }

    // ------------------------------------------------------------------------------- GRAFT, PRUNE

    void handleGraft(RouterPeer p, List<Graft> grafts) {
        RouterParams rp = params.get();
        long now = nanos.getAsLong();
        for (Graft g : grafts) {
            String topic = g.topic();
            Set<PeerId> m = topic == null ? null : mesh.get(topic);
            if (m == null) {
                continue; // unknown topic: ignored, not answered (v1.1 spam protection)
            }
            if (m.contains(p.id)) {
                continue;
            }
            Long until = backoff.until(topic, p.id);
            if (until != null && now < until) {
                counters.graftsInBackoff++;
                score.behaviourPenalty(p.id, 1);
                // A GRAFT right after the PRUNE is flooding: penalise it twice.
                long floodCutoff = until + rp.graftFloodThreshold().toNanos() - rp.pruneBackoff().toNanos();
                if (now < floodCutoff) {
                    score.behaviourPenalty(p.id, 1);
                }
                backoff.add(p.id, topic, rp.pruneBackoff());
                sendPrune(p, topic, false, rp.pruneBackoff());
                continue;
            }
            if (score.score(p.id) < 0) {
                backoff.add(p.id, topic, rp.pruneBackoff());
                sendPrune(p, topic, false, rp.pruneBackoff());
                continue;
            }
            if (m.size() >= rp.dHi() && p.direction != Direction.OUTBOUND) {
                backoff.add(p.id, topic, rp.pruneBackoff());
                sendPrune(p, topic, true, rp.pruneBackoff());
                continue;
            }
            m.add(p.id);
            score.graft(p.id, topic);
        }
    }

    void handlePrune(RouterPeer p, List<Prune> prunes) {
        RouterParams rp = params.get();
        for (Prune pr : prunes) {
            String topic = pr.topic();
            Set<PeerId> m = topic == null ? null : mesh.get(topic);
            if (m == null) {
                continue;
            }
            if (m.remove(p.id)) {
                score.prune(p.id, topic);
            }
            Duration bo = pr.backoffSeconds() >= 0 ? Duration.ofSeconds(Math.min(pr.backoffSeconds(), 86_400))
                    : rp.pruneBackoff();
            backoff.add(p.id, topic, bo);
            if (!pr.peers().isEmpty() && score.score(p.id) >= score.params().acceptPxThreshold()) {
                px.connect(pr.peers(), rp.prunePeers());
            }
        }
    }

    private void graft(RouterPeer p, String topic) {
        score.graft(p.id, topic);
        p.outbound.graft.add(new Graft(topic));
        peers.dirty(p);
    }

    private void sendPrune(RouterPeer p, String topic, boolean withPx, Duration backoffFor) {
        if (p == null || !p.meshsubOrUnknown()) {
            return;
        }
        if (!p.v11()) {
            p.outbound.prune.add(new Prune(topic, List.of(), -1));
        } else {
            RouterParams rp = params.get();
            List<Rpc.PxPeer> exchange = List.of();
            if (withPx && rp.doPx() && score.score(p.id) >= 0) {
                exchange = px.offer(candidates(topic, Set.of(p.id), rp.prunePeers(), q -> score.score(q.id) >= 0));
            }
            p.outbound.prune.add(new Prune(topic, exchange, backoffFor.toSeconds()));
        }
        peers.dirty(p);
    }

    // ------------------------------------------------------------------------------- heartbeat

    /** The heartbeat's upkeep of one topic's mesh. */
    void maintain(String topic, long heartbeats, Function<PeerId, Double> scoreOf) {
        Set<PeerId> m = mesh.get(topic);
        if (m == null) {
            return;
        }
        RouterParams rp = params.get();
        // Gone or negative peers leave the mesh.
        for (Iterator<PeerId> it = m.iterator(); it.hasNext();) {
            PeerId q = it.next();
            RouterPeer p = peers.get(q);
            if (p == null || !p.active() || !p.topics.contains(topic)) {
                it.remove();
                score.prune(q, topic);
            } else if (scoreOf.apply(q) < 0) {
                it.remove();
                score.prune(q, topic);
                backoff.add(q, topic, rp.pruneBackoff());
                sendPrune(p, topic, false, rp.pruneBackoff());
            }
        }
        if (m.size() < rp.dLo()) {
            for (RouterPeer p : candidates(topic, m, rp.d() - m.size(), q -> scoreOf.apply(q.id) >= 0)) {
                m.add(p.id);
                graft(p, topic);
            }
        }
        if (m.size() > rp.dHi()) {
            pruneOversubscribed(topic, m, rp, scoreOf);
        }
        if (m.size() >= rp.dLo()) {
            int outbound = 0;
            for (PeerId q : m) {
                if (peers.get(q).direction == Direction.OUTBOUND) {
                    outbound++;
                }
            }
            if (outbound < rp.dOut()) {
                for (RouterPeer p : candidates(topic, m, rp.dOut() - outbound,
                        q -> q.direction == Direction.OUTBOUND && scoreOf.apply(q.id) >= 0)) {
                    m.add(p.id);
                    graft(p, topic);
                }
            }
        }
        if (rp.opportunisticGraftTicks() > 0 && heartbeats % rp.opportunisticGraftTicks() == 0 && m.size() > 1) {
            List<Double> s = new ArrayList<>();
            for (PeerId q : m) {
                s.add(scoreOf.apply(q));
            }
            Collections.sort(s);
            double median = s.get(s.size() / 2);
            if (median < score.params().opportunisticGraftThreshold()) {
                for (RouterPeer p : candidates(topic, m, rp.opportunisticGraftPeers(), q -> scoreOf.apply(q.id) > median)) {
                    m.add(p.id);
                    graft(p, topic);
                }
            }
        }
    }

    private void pruneOversubscribed(String topic, Set<PeerId> m, RouterParams rp, Function<PeerId, Double> scoreOf) {
        List<PeerId> all = new ArrayList<>(m);
        Collections.shuffle(all, ThreadLocalRandom.current());
        all.sort(Comparator.comparingDouble((PeerId q) -> scoreOf.apply(q)).reversed());
        List<PeerId> keep = new ArrayList<>(all.subList(0, Math.min(rp.dScore(), all.size())));
        List<PeerId> rest = new ArrayList<>(all.subList(keep.size(), all.size()));
        Collections.shuffle(rest, ThreadLocalRandom.current());
        for (PeerId q : rest) {
            if (keep.size() >= rp.d()) {
                break;
            }
            keep.add(q);
        }
        // Keep at least D_out outbound peers: swap outbound ones in for the last inbound ones kept at random.
        int outbound = 0;
        for (PeerId q : keep) {
            if (peers.get(q).direction == Direction.OUTBOUND) {
                outbound++;
            }
        }
        if (outbound < rp.dOut()) {
            List<PeerId> spare = new ArrayList<>();
            for (PeerId q : all) {
                if (!keep.contains(q) && peers.get(q).direction == Direction.OUTBOUND) {
                    spare.add(q);
                }
            }
            for (int i = keep.size() - 1; i >= rp.dScore() && outbound < rp.dOut() && !spare.isEmpty(); i--) {
                if (peers.get(keep.get(i)).direction != Direction.OUTBOUND) {
                    keep.set(i, spare.remove(0));
                    outbound++;
                }
            }
        }
        Set<PeerId> keepSet = new HashSet<>(keep);
        for (PeerId q : all) {
            if (!keepSet.contains(q)) {
                m.remove(q);
                score.prune(q, topic);
                backoff.add(q, topic, rp.pruneBackoff());
                sendPrune(peers.get(q), topic, true, rp.pruneBackoff());
            }
        }
    }

    /**
     * The heartbeat's upkeep of fanout: drops topics not published on for the fanout TTL, and
     * gone or low-scored peers; tops each up to D. Returns the topics kept, with their peers.
     */
    Map<String, Set<PeerId>> maintainFanout(long now, Function<PeerId, Double> scoreOf) {
        RouterParams rp = params.get();
        double publishThreshold = score.params().publishThreshold();
        for (Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Set<PeerId>> e = it.next();
            String topic = e.getKey();
            Long last = fanoutLastPublished.get(topic);
            if (last == null || now - last > rp.fanoutTtl().toNanos()) {
                it.remove();
                fanoutLastPublished.remove(topic);
                continue;
            }
            Set<PeerId> f = e.getValue();
            f.removeIf(q -> {
                RouterPeer p = peers.get(q);
                return p == null || !p.active() || !p.topics.contains(topic) || scoreOf.apply(q) < publishThreshold;
            });
            if (f.size() < rp.d()) {
                for (RouterPeer p : candidates(topic, f, rp.d() - f.size(), q -> scoreOf.apply(q.id) >= publishThreshold)) {
                    f.add(p.id);
                }
            }
        }
        return fanout;
    }

    // ------------------------------------------------------------------------------- routing

    /** Where our own message goes: every topic peer above the publish threshold (flood publish), or mesh / fanout. */
    Set<PeerId> publishTargets(String topic) {
        RouterParams rp = params.get();
        double publishThreshold = score.params().publishThreshold();
        Set<PeerId> targets = new LinkedHashSet<>();
        Set<PeerId> inTopic = peers.inTopic(topic);
        if (rp.floodPublish()) {
            for (PeerId q : inTopic) {
                if (score.score(q) >= publishThreshold) {
                    targets.add(q);
                }
            }
            return targets;
        }
        for (PeerId q : inTopic) {
            RouterPeer p = peers.get(q);
            if (p != null && p.floodsub() && score.score(q) >= publishThreshold) {
                targets.add(q);
            }
        }
        Set<PeerId> m = mesh.get(topic);
        if (m != null) {
            targets.addAll(m);
        } else {
            Set<PeerId> f = fanout.computeIfAbsent(topic, k -> new LinkedHashSet<>());
            if (f.isEmpty()) {
                for (RouterPeer p : candidates(topic, f, rp.d(), q -> score.score(q.id) >= publishThreshold)) {
                    f.add(p.id);
                }
            }
            targets.addAll(f);
            fanoutLastPublished.put(topic, nanos.getAsLong());
        }
        return targets;
    }

    /** Where a message we relay goes: the mesh and the floodsub peers of the topic. */
    Set<PeerId> forwardTargets(String topic) {
        Set<PeerId> targets = new LinkedHashSet<>();
        double publishThreshold = score.params().publishThreshold();
        for (PeerId q : peers.inTopic(topic)) {
            RouterPeer p = peers.get(q);
            if (p != null && p.floodsub() && score.score(q) >= publishThreshold) {
                targets.add(q);
            }
        }
        Set<PeerId> m = mesh.get(topic);
        if (m != null) {
            targets.addAll(m);
        }
        return targets;
    }

    /** Up to {@code max} random active meshsub peers of {@code topic}, not excluded, not backed off, and {@code ok}. */
    List<RouterPeer> candidates(String topic, Set<PeerId> exclude, int max, Predicate<RouterPeer> ok) {
        if (max <= 0) {
            return List.of();
        }
        List<RouterPeer> out = new ArrayList<>();
        for (RouterPeer p : peers.meshsubInTopic(topic, exclude)) {
            if (!backoff.active(topic, p.id) && ok.test(p)) {
                out.add(p);
            }
        }
        Collections.shuffle(out, ThreadLocalRandom.current());
        return out.size() > max ? out.subList(0, max) : out;
    }
}
