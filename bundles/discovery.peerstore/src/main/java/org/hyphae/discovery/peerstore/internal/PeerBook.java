package org.hyphae.discovery.peerstore.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

import org.hyphae.discovery.PeerRecord;
import org.hyphae.discovery.PeerStore;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;

/**
 * The peer records in memory, with the bounds that keep any source from growing them without
 * limit: at most {@code maxPeers} peers and {@code maxAddressesPerPeer} addresses per peer, and
 * addresses that expire. When full, a new peer evicts the one worth least: never a connected
 * peer; first the worst score, then peers never connected before peers that were, then the one
 * seen longest ago. If every peer is worth more than the newcomer, the newcomer is refused.
 * Changed and removed peers are remembered for {@link #drainChanges()} so the caller can write
 * them to the datastore in batches. Thread-safe (one lock).
 */
final class PeerBook {

    /** The bounds; every one may change at runtime. */
    record Limits(int maxPeers, int maxAddressesPerPeer, int maxProtocols, long scoreHalfLifeMillis) {
        Limits {
            if (maxPeers < 1 || maxAddressesPerPeer < 1 || maxProtocols < 0 || scoreHalfLifeMillis < 1) {
                throw new IllegalArgumentException("limits must be positive: " + maxPeers + ", "
                        + maxAddressesPerPeer + ", " + maxProtocols + ", " + scoreHalfLifeMillis);
            }
        }
    }

    /** What was refused or dropped so far, for the shell and the tests. */
    record Counters(long addressesRejected, long addressesDropped, long peersEvicted, long peersRefused,
            long addressesExpired) {
    }

    /** The records to write ({@code changed}) and delete ({@code removed}) since the last drain. */
    record Changes(Map<PeerId, PeerEntry> changed, Set<PeerId> removed) {
    }

    /** The result of one {@link #addAddresses} call: how many were kept, and why others were not. */
    record Added(int kept, List<String> problems) {
    }

    private static final Set<String> FIRST_HAND = Set.of(PeerStore.SOURCE_CONNECTION, PeerStore.SOURCE_IDENTIFY,
            PeerStore.SOURCE_MANUAL);

    private final PeerId self;
    private final LongSupplier clock;
    private final Map<PeerId, PeerEntry> peers = new HashMap<>();
    private final Set<PeerId> changed = new LinkedHashSet<>();
    private final Set<PeerId> removed = new LinkedHashSet<>();
    private Set<PeerId> connected = Set.of();
    private Limits limits;
    private long addressesRejected;
    private long addressesDropped;
    private long peersEvicted;
    private long peersRefused;
    private long addressesExpired;

    PeerBook(PeerId self, Limits limits, LongSupplier clock) {
        this.self = self;
        this.limits = limits;
        this.clock = clock;
    }

    synchronized void limits(Limits l) {
        this.limits = l;
        // A smaller bound applies at once, not at the next insert.
        for (PeerEntry e : peers.values()) {
            while (e.addresses.size() > l.maxAddressesPerPeer()) {
                dropOneAddress(e);
            }
        }
        while (peers.size() > l.maxPeers()) {
            PeerEntry victim = worst(clock.getAsLong());
            if (victim == null) {
                break;
            }
            evict(victim);
        }
    }

    synchronized Limits limits() {
        return limits;
    }

    /** Tells the book which peers are connected now: they are never evicted. */
    synchronized void connected(Set<PeerId> peersConnected) {
        this.connected = Set.copyOf(peersConnected);
        long now = clock.getAsLong();
        for (PeerId p : connected) {
            PeerEntry e = peers.get(p);
            if (e != null) {
                e.lastConnected = now;
                e.lastSeen = now;
                changed.add(p);
            }
        }
    }

    synchronized Added addAddresses(PeerId peer, List<Multiaddr> addresses, String source, long ttlMillis) {
        if (peer.equals(self)) {
            return new Added(0, List.of("this node's own id"));
        }
        long now = clock.getAsLong();
        List<String> problems = new ArrayList<>();
        List<Multiaddr> good = new ArrayList<>();
        for (Multiaddr a : addresses) {
            Optional<String> problem = DialableAddress.problem(peer, a);
            if (problem.isPresent()) {
                addressesRejected++;
                if (problems.size() < 3) {
                    problems.add(a + ": " + problem.get());
                }
            } else if (!good.contains(a.withoutPeerId())) {
                good.add(a.withoutPeerId());
            }
        }
        if (good.size() > limits.maxAddressesPerPeer()) {
            // One report may not hold more than a peer may keep: the rest are counted and dropped.
            int extra = good.size() - limits.maxAddressesPerPeer();
            addressesDropped += extra;
            problems.add(extra + " addresses over the limit of " + limits.maxAddressesPerPeer() + " per peer");
            good = good.subList(0, limits.maxAddressesPerPeer());
        }
        PeerEntry e = entry(peer, now);
        if (e == null) {
            return new Added(0, List.of("the store is full of peers worth more (" + limits.maxPeers() + ")"));
        }
        e.lastSeen = now;
        int kept = 0;
        for (Multiaddr a : good) {
            PeerEntry.Address known = e.addresses.get(a);
            if (known == null) {
                if (e.addresses.size() >= limits.maxAddressesPerPeer()
                        && !dropOneAddress(e, now, FIRST_HAND.contains(source))) {
                    addressesDropped++;
                    continue;
                }
                known = new PeerEntry.Address(a, now, now + ttlMillis);
                e.addresses.put(a, known);
            }
            known.sources.add(source);
            known.lastSeen = now;
            known.expires = Math.max(known.expires, now + ttlMillis);
            kept++;
        }
        changed.add(peer);
        return new Added(kept, problems);
    }

    /** What identify said: protocols and agent replace the old ones; listen addresses are added. */
    synchronized Added identified(PeerId peer, List<Multiaddr> listen, Set<String> protocols, String agent,
            long ttlMillis) {
        Added added = addAddresses(peer, listen, PeerStore.SOURCE_IDENTIFY, ttlMillis);
        PeerEntry e = peers.get(peer);
        if (e != null) {
            List<String> kept = protocols.stream().filter(p -> p.length() <= 256).sorted()
                    .limit(limits.maxProtocols()).toList();
            e.protocols = Set.copyOf(kept);
            e.agentVersion = agent.length() > 256 ? agent.substring(0, 256) : agent;
            e.lastConnected = clock.getAsLong();
            changed.add(peer);
        }
        return added;
    }

    synchronized boolean removeAddress(PeerId peer, Multiaddr address) {
        PeerEntry e = peers.get(peer);
        if (e == null || e.addresses.remove(address.withoutPeerId()) == null) {
            return false;
        }
        changed.add(peer);
        return true;
    }

    synchronized void recordLatency(PeerId peer, long rttNanos) {
        PeerEntry e = peers.get(peer);
        if (e == null || rttNanos < 0) {
            return;
        }
        // The same smoothing go-libp2p's metrics use: a new sample counts for a tenth.
        e.latencyNanos = e.latencyNanos < 0 ? rttNanos : (long) (0.9 * e.latencyNanos + 0.1 * rttNanos);
        changed.add(peer);
    }

    synchronized boolean penalize(PeerId peer, double points) {
        if (peer.equals(self)) {
            return false;
        }
        long now = clock.getAsLong();
        PeerEntry e = peers.get(peer);
        if (e == null) {
            e = entry(peer, now);
            if (e == null) {
                return false;
            }
        }
        e.addScore(-points, now, limits.scoreHalfLifeMillis());
        changed.add(peer);
        return true;
    }

    synchronized Optional<PeerRecord> get(PeerId peer) {
        PeerEntry e = peers.get(peer);
        return e == null ? Optional.empty() : Optional.of(e.toRecord(clock.getAsLong(), limits.scoreHalfLifeMillis()));
    }

    /** Every record, best score first, then most recently seen. */
    synchronized List<PeerRecord> records() {
        long now = clock.getAsLong();
        List<PeerRecord> out = new ArrayList<>(peers.size());
        for (PeerEntry e : peers.values()) {
            out.add(e.toRecord(now, limits.scoreHalfLifeMillis()));
        }
        out.sort(Comparator.comparingDouble(PeerRecord::score).reversed()
                .thenComparing(PeerRecord::lastSeen, Comparator.reverseOrder()));
        return out;
    }

    synchronized int size() {
        return peers.size();
    }

    synchronized boolean remove(PeerId peer) {
        if (peers.remove(peer) == null) {
            return false;
        }
        changed.remove(peer);
        removed.add(peer);
        return true;
    }

    /**
     * Drops expired addresses, and peers left with no address, no penalty worth remembering and no
     * connection.
     *
     * @return how many peers were dropped
     */
    synchronized int sweep() {
        long now = clock.getAsLong();
        int dropped = 0;
        for (PeerEntry e : new ArrayList<>(peers.values())) {
            int expired = e.expire(now);
            if (expired > 0) {
                addressesExpired += expired;
                changed.add(e.peer);
            }
            if (e.addresses.isEmpty() && e.score(now, limits.scoreHalfLifeMillis()) == 0
                    && !connected.contains(e.peer)) {
                remove(e.peer);
                dropped++;
            }
        }
        return dropped;
    }

    /** Takes a record read from the datastore; one already in memory (newer) wins. */
    synchronized boolean load(PeerEntry loaded) {
        if (loaded.peer.equals(self) || peers.containsKey(loaded.peer)) {
            return false;
        }
        loaded.expire(clock.getAsLong());
        while (loaded.addresses.size() > limits.maxAddressesPerPeer()) {
            dropOneAddress(loaded);
        }
        if (peers.size() >= limits.maxPeers()) {
            return false;
        }
        peers.put(loaded.peer, loaded);
        return true;
    }

    /** Everything to write, for a datastore that was just bound. */
    synchronized void markAllChanged() {
        changed.addAll(peers.keySet());
    }

    /** The peers changed and removed since the last call, with copies safe to encode outside the lock. */
    synchronized Changes drainChanges() {
        Map<PeerId, PeerEntry> out = new HashMap<>();
        for (PeerId p : changed) {
            PeerEntry e = peers.get(p);
            if (e != null) {
                out.put(p, PeerRecordCodec.copy(e));
            }
        }
        Set<PeerId> gone = new HashSet<>(removed);
        changed.clear();
        removed.clear();
        return new Changes(out, gone);
    }

    /** Puts back changes that could not be written, so the next flush tries again. */
    synchronized void requeue(Changes c) {
        for (PeerId p : c.changed().keySet()) {
            if (peers.containsKey(p)) {
                changed.add(p);
            }
        }
        for (PeerId p : c.removed()) {
            if (!peers.containsKey(p)) {
                removed.add(p);
            }
        }
    }

    synchronized Counters counters() {
        return new Counters(addressesRejected, addressesDropped, peersEvicted, peersRefused, addressesExpired);
    }

    // ---- internals (lock held) ----

    private PeerEntry entry(PeerId peer, long now) {
        PeerEntry e = peers.get(peer);
        if (e != null) {
            return e;
        }
        if (peers.size() >= limits.maxPeers()) {
            PeerEntry victim = worst(now);
            if (victim == null || !worthLess(victim, now)) {
                peersRefused++;
                return null;
            }
            evict(victim);
        }
        e = new PeerEntry(peer, now);
        peers.put(peer, e);
        removed.remove(peer);
        return e;
    }

    private void evict(PeerEntry victim) {
        remove(victim.peer);
        peersEvicted++;
    }

    /** The peer worth least that is not connected, or null if all are. */
    private PeerEntry worst(long now) {
        PeerEntry worst = null;
        for (PeerEntry e : peers.values()) {
            if (connected.contains(e.peer)) {
                continue;
            }
            if (worst == null || rank(e, now, worst) < 0) {
                worst = e;
            }
        }
        return worst;
    }

    /** Whether a newcomer (score 0, never connected, seen now) is worth more than {@code e}. */
    private boolean worthLess(PeerEntry e, long now) {
        double s = e.score(now, limits.scoreHalfLifeMillis());
        if (s != 0) {
            return s < 0;
        }
        return e.lastConnected == 0 && e.lastSeen < now;
    }

    /** Negative if {@code a} is worth less than {@code b}. */
    private int rank(PeerEntry a, long now, PeerEntry b) {
        long half = limits.scoreHalfLifeMillis();
        int c = Double.compare(a.score(now, half), b.score(now, half));
        if (c != 0) {
            return c;
        }
        c = Boolean.compare(a.lastConnected > 0, b.lastConnected > 0);
        if (c != 0) {
            return c;
        }
        return Long.compare(a.lastSeen, b.lastSeen);
    }

    private void dropOneAddress(PeerEntry e) {
        dropOneAddress(e, Long.MAX_VALUE, true);
    }

    /**
     * Drops the address worth least: second-hand before first-hand (identify, a connection, an
     * operator), then the one seen longest ago. Addresses seen at {@code now} (this report) stay, and
     * a second-hand newcomer never displaces a first-hand address.
     *
     * @return whether one was dropped
     */
    private boolean dropOneAddress(PeerEntry e, long now, boolean forFirstHand) {
        PeerEntry.Address victim = null;
        for (PeerEntry.Address a : e.addresses.values()) {
            if (a.lastSeen >= now || (!forFirstHand && firstHand(a))) {
                continue;
            }
            if (victim == null || compareAddress(a, victim) < 0) {
                victim = a;
            }
        }
        if (victim == null) {
            return false;
        }
        e.addresses.remove(victim.address);
        addressesDropped++;
        return true;
    }

    private static int compareAddress(PeerEntry.Address a, PeerEntry.Address b) {
        int c = Boolean.compare(firstHand(a), firstHand(b));
        return c != 0 ? c : Long.compare(a.lastSeen, b.lastSeen);
    }

    private static boolean firstHand(PeerEntry.Address a) {
        for (String s : a.sources) {
            if (FIRST_HAND.contains(s)) {
                return true;
            }
        }
        return false;
    }
}
