package org.hyphae.discovery.kad.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiPredicate;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;

/**
 * One iterative lookup (kad-dht spec, "Peer routing"): start from the {@code k} closest known
 * peers, keep up to {@code alpha} queries in flight to the closest not yet queried, add the closer
 * peers each answer names, and end when the {@code k} closest peers seen (not counting those that
 * failed) have all answered, when none is left to ask, or when {@code stop} says so.
 *
 * <p>Each candidate carries its hop: peers from the local table are hop 1, peers named in the
 * answer of a hop-{@code h} peer are hop {@code h + 1}. The lookup reports the hop of the answer
 * that stopped it (the one that named or was the target) for the simulation's figures.
 */
final class Lookup {

    /** What a lookup ended with. */
    record Outcome(List<PeerAddresses> closest, int queried, int stopHop) {
    }

    private enum State { NEW, WAITING, ANSWERED, FAILED }

    private static final class Candidate {
        final PeerId peer;
        final KadKey key;
        final int hop;
        State state = State.NEW;

        Candidate(PeerId peer, int hop) {
            this.peer = peer;
            this.key = KadKey.of(peer.bytes());
            this.hop = hop;
        }
    }

    private final KadDht dht;
    private final KadKey target;
    private final KadMessage request;
    private final BiPredicate<PeerId, KadMessage> stop;
    private final int k;
    private final int alpha;
    private final Map<PeerId, Candidate> candidates = new HashMap<>();
    private final List<Candidate> sorted = new ArrayList<>();
    final CompletableFuture<Outcome> result = new CompletableFuture<>();
    private int inflight;
    private int queried;
    private int stopHop = -1;
    private boolean stopped;

    Lookup(KadDht dht, KadKey target, KadMessage request, BiPredicate<PeerId, KadMessage> stop, int k, int alpha) {
        this.dht = dht;
        this.target = target;
        this.request = request;
        this.stop = stop;
        this.k = k;
        this.alpha = alpha;
    }

    /** Seeds the lookup and sends the first queries. */
    CompletableFuture<Outcome> start(List<PeerAddresses> seeds) {
        synchronized (this) {
            for (PeerAddresses p : seeds) {
                add(p.peer(), p.addresses(), 1);
            }
        }
        step();
        return result;
    }

    /** Caller holds the monitor. */
    private void add(PeerId peer, List<Multiaddr> addrs, int hop) {
        if (peer.equals(dht.localPeer()) || candidates.containsKey(peer) || dht.penalty().excluded(peer)) {
            return;
        }
        dht.learnAddresses(peer, addrs);
        Candidate c = new Candidate(peer, hop);
        candidates.put(peer, c);
        int i = sorted.size();
        while (i > 0 && target.compareDistance(sorted.get(i - 1).key, c.key) > 0) {
            i--;
        }
        sorted.add(i, c);
    }

    private void step() {
        List<Candidate> launch = new ArrayList<>();
        synchronized (this) {
            if (result.isDone()) {
                return;
            }
            int seen = 0;
            boolean allAnswered = true;
            for (Candidate c : sorted) {
                if (c.state == State.FAILED) {
                    continue;
                }
                if (seen++ >= k) {
                    break;
                }
                if (c.state != State.ANSWERED) {
                    allAnswered = false;
                }
                if (c.state == State.NEW && inflight + launch.size() < alpha && !stopped) {
                    launch.add(c);
                }
            }
            if (stopped || allAnswered || (launch.isEmpty() && inflight == 0)) {
                finish();
                return;
            }
            for (Candidate c : launch) {
                c.state = State.WAITING;
                inflight++;
                queried++;
            }
        }
        for (Candidate c : launch) {
            dht.executor().execute(() -> query(c));
        }
    }

    private void query(Candidate c) {
        dht.request(c.peer, request, true).whenComplete((answer, error) -> {
            synchronized (this) {
                inflight--;
                if (error != null || answer.isEmpty()) {
                    c.state = State.FAILED;
                } else {
                    c.state = State.ANSWERED;
                    KadMessage m = answer.get();
                    // request() refused answers with more than the allowed closer peers or addresses.
                    for (KadMessage.Peer p : m.closerPeers()) {
                        Optional<PeerId> id = dht.peerIdOf(c.peer, p.id());
                        id.ifPresent(peer -> add(peer, dht.decodeAddresses(p.addrs()), c.hop + 1));
                    }
                    try {
                        if (!stopped && stop.test(c.peer, m)) {
                            stopped = true;
                            stopHop = c.hop;
                        }
                    } catch (RuntimeException e) {
                        System.getLogger(Lookup.class.getName()).log(System.Logger.Level.WARNING, "lookup callback failed", e);
                    }
                }
            }
            step();
        });
    }

    /** Caller holds the monitor. */
    private void finish() {
        List<PeerAddresses> out = new ArrayList<>();
        for (Candidate c : sorted) {
            if (c.state == State.ANSWERED && out.size() < k) {
                out.add(new PeerAddresses(c.peer, dht.knownAddresses(c.peer)));
            }
        }
        result.complete(new Outcome(out, queried, stopHop));
    }
}
