package org.hyphae.pubsub.gossipsub.internal;

import java.util.ArrayList;
import java.util.Collections;
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
import org.hyphae.pubsub.gossipsub.internal.Rpc.IHave;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IWant;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;

/**
 * Lazy push (gossipsub v1.0 "Control Messages", v1.1 spam protection): at each heartbeat, IHAVE
 * the ids of recent messages to D_lazy (or gossipFactor of the) peers outside the mesh; answer
 * IHAVEs with IWANTs within the per-heartbeat budgets, tracking one promise per IHAVE; serve IWANTs
 * from the message cache at most gossipRetransmission times per peer; penalise broken promises.
 * Router thread only.
 */
final class Gossip {

    private final Supplier<RouterParams> params;
    private final PeerTable peers;
    private final PeerScore score;
    private final MessageCache mcache;
    private final SeenCache seen;
    private final RouterCounters counters;
    private final LongSupplier nanos;
    private final DontWant dontWant;
    /** For each message id asked for, who promised it and by when. */
    private final Map<MessageId, Map<PeerId, Long>> promises = new HashMap<>();

    Gossip(Supplier<RouterParams> params, PeerTable peers, PeerScore score, MessageCache mcache, SeenCache seen,
            RouterCounters counters, LongSupplier nanos, DontWant dontWant) {
        this.params = params;
        this.peers = peers;
        this.score = score;
        this.mcache = mcache;
        this.seen = seen;
        this.counters = counters;
        this.nanos = nanos;
        this.dontWant = dontWant;
    }

    /** The message arrived: whoever promised it kept the promise. */
    void delivered(MessageId id) {
        promises.remove(id);
    }

    /** New heartbeat: fresh budgets, and broken promises cost their peers. */
    void heartbeat(long now) {
        for (RouterPeer p : peers.all()) {
            p.ihavesThisHeartbeat = 0;
            p.askedThisHeartbeat = 0;
        }
        Map<PeerId, Integer> broken = new HashMap<>();
        for (Iterator<Map.Entry<MessageId, Map<PeerId, Long>>> it = promises.entrySet().iterator(); it.hasNext();) {
            Map<PeerId, Long> m = it.next().getValue();
            m.entrySet().removeIf(e -> {
                if (now > e.getValue()) {
                    broken.merge(e.getKey(), 1, Integer::sum);
                    return true;
                }
                return false;
            });
            if (m.isEmpty()) {
                it.remove();
            }
        }
        for (Map.Entry<PeerId, Integer> e : broken.entrySet()) {
            counters.brokenPromises += e.getValue();
            score.behaviourPenalty(e.getKey(), e.getValue());
        }
    }

    /** IHAVEs the recent ids of {@code topic} to peers outside {@code exclude} (the mesh or fanout). */
    void emit(String topic, Set<PeerId> exclude, Function<PeerId, Double> scoreOf) {
        List<MessageId> ids = mcache.gossipIds(topic);
        if (ids.isEmpty()) {
            return;
        }
        RouterParams rp = params.get();
        double threshold = score.params().gossipThreshold();
        List<RouterPeer> eligible = peers.meshsubInTopic(topic, exclude);
        eligible.removeIf(p -> scoreOf.apply(p.id) < threshold);
        if (eligible.isEmpty()) {
            return;
        }
        int target = Math.max(rp.dLazy(), (int) (eligible.size() * rp.gossipFactor()));
        Collections.shuffle(eligible, ThreadLocalRandom.current());
        if (ids.size() > rp.maxIHaveLength()) {
            ids = new ArrayList<>(ids);
            Collections.shuffle(ids, ThreadLocalRandom.current());
            ids = ids.subList(0, rp.maxIHaveLength());
        }
        IHave ihave = new IHave(topic, ids);
        for (int i = 0; i < Math.min(target, eligible.size()); i++) {
            RouterPeer p = eligible.get(i);
            p.outbound.ihave.add(ihave);
            peers.dirty(p);
        }
    }

    /** Asks for what {@code p} advertises on our topics and we have not seen, within its budgets. */
    void handleIHave(RouterPeer p, List<IHave> ihaves, Predicate<String> subscribed) {
        if (ihaves.isEmpty()) {
            return;
        }
        if (score.score(p.id) < score.params().gossipThreshold()) {
            counters.ihaveIgnored++;
            return;
        }
        RouterParams rp = params.get();
        p.ihavesThisHeartbeat++;
        if (p.ihavesThisHeartbeat > rp.maxIHaveMessages() || p.askedThisHeartbeat >= rp.maxIHaveLength()) {
            counters.ihaveIgnored++;
            return;
        }
        Set<MessageId> want = new LinkedHashSet<>();
        for (IHave ih : ihaves) {
            if (ih.topic() == null || !subscribed.test(ih.topic())) {
                continue;
            }
            for (MessageId id : ih.messageIds()) {
                if (!seen.contains(id)) {
                    want.add(id);
                }
            }
        }
        if (want.isEmpty()) {
            return;
        }
        List<MessageId> ask = new ArrayList<>(want);
        Collections.shuffle(ask, ThreadLocalRandom.current());
        int n = Math.min(ask.size(), rp.maxIHaveLength() - p.askedThisHeartbeat);
        ask = new ArrayList<>(ask.subList(0, n));
        p.askedThisHeartbeat += n;
        // Track one random id of the batch: if it does not arrive in time, the peer broke its promise.
        MessageId tracked = ask.get(ThreadLocalRandom.current().nextInt(ask.size()));
        promises.computeIfAbsent(tracked, k -> new HashMap<>()).putIfAbsent(p.id,
                nanos.getAsLong() + rp.iwantFollowupTime().toNanos());
        p.outbound.iwant.addAll(ask);
        counters.iwantAsked += n;
        peers.dirty(p);
    }

    /** Sends {@code p} what it asks for from the message cache (each id at most gossipRetransmission times). */
    void handleIWant(RouterPeer p, List<IWant> iwants) {
        if (iwants.isEmpty()) {
            return;
        }
        if (score.score(p.id) < score.params().gossipThreshold()) {
            counters.ihaveIgnored++;
            return;
        }
        Set<MessageId> done = new HashSet<>();
        for (IWant w : iwants) {
            for (MessageId id : w.messageIds()) {
                if (!done.add(id) || dontWant.unwanted(p, id)) {
                    continue;
                }
                WireMessage m = mcache.getForPeer(id, p.id, params.get().gossipRetransmission());
                if (m != null) {
                    p.outbound.messages.add(m);
                    counters.iwantServed++;
                    peers.dirty(p);
                }
            }
        }
    }
}
