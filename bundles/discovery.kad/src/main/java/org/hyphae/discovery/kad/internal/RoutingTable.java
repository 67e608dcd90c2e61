package org.hyphae.discovery.kad.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;

/**
 * The k-bucket routing table: bucket {@code i} holds up to {@code k} peers whose key shares exactly
 * {@code i} leading bits with this node's key. A full bucket keeps its long-lived peers (Kademlia's
 * preference for old, proven contacts, which also stops a flood of new ids from evicting them): a
 * newcomer takes the place of an entry that has failed a query, or, when none has, the caller checks
 * the least-recently-seen contact ({@link #leastRecentlySeen}) and {@link #replace}s it only if it
 * does not answer.
 *
 * <p>The table also remembers when a lookup last targeted each bucket, for the per-bucket refresh.
 *
 * <p>Thread-safe: every method locks the table.
 */
public final class RoutingTable {

    /** Addresses kept per peer: a peer that advertises thousands is cut down to these. */
    public static final int MAX_ADDRESSES = 16;

    /** One contact. */
    public static final class Entry {
        final PeerId peer;
        final KadKey key;
        List<Multiaddr> addresses;
        long lastSeen;
        int failures;

        Entry(PeerId peer, KadKey key, List<Multiaddr> addresses, long now) {
            this.peer = peer;
            this.key = key;
            this.addresses = addresses;
            this.lastSeen = now;
        }

        public PeerId peer() {
            return peer;
        }

        public List<Multiaddr> addresses() {
            return addresses;
        }

        public long lastSeen() {
            return lastSeen;
        }
    }

    private final PeerId self;
    private final KadKey selfKey;
    private final int k;
    private final List<LinkedHashMap<PeerId, Entry>> buckets = new ArrayList<>();
    /** When a lookup last targeted a key in each bucket (0: never). */
    private final long[] lastLookup = new long[257];

    public RoutingTable(PeerId self, int k) {
        this.self = self;
        this.selfKey = KadKey.of(self.bytes());
        this.k = k;
        for (int i = 0; i <= 256; i++) {
            buckets.add(new LinkedHashMap<>());
        }
    }

    public int k() {
        return k;
    }

    /**
     * Adds a peer or refreshes it (its addresses replaced if new ones are given).
     *
     * @return whether the peer is in the table afterwards
     */
    public synchronized boolean add(PeerId peer, List<Multiaddr> addresses, long now) {
        if (peer.equals(self)) {
            return false;
        }
        KadKey key = KadKey.of(peer.bytes());
        LinkedHashMap<PeerId, Entry> bucket = buckets.get(selfKey.commonPrefixLength(key));
        List<Multiaddr> addrs = addresses.size() > MAX_ADDRESSES ? List.copyOf(addresses.subList(0, MAX_ADDRESSES))
                : List.copyOf(addresses);
        Entry e = bucket.get(peer);
        if (e != null) {
            if (!addrs.isEmpty()) {
                e.addresses = addrs;
            }
            e.lastSeen = now;
            e.failures = 0;
            return true;
        }
        if (bucket.size() >= k) {
            Entry failed = bucket.values().stream().filter(x -> x.failures > 0)
                    .max(Comparator.comparingInt((Entry x) -> x.failures)).orElse(null);
            if (failed == null) {
                return false;
            }
            bucket.remove(failed.peer);
        }
        bucket.put(peer, new Entry(peer, key, addrs, now));
        return true;
    }

    /** Whether {@code peer} is in the table. */
    public synchronized boolean contains(PeerId peer) {
        return bucketOf(peer).containsKey(peer);
    }

    /**
     * The contact to check before {@code newcomer} may enter: the least recently seen one of the
     * full bucket it falls in, or empty if that bucket has room (or the newcomer is in it already).
     */
    public synchronized Optional<PeerAddresses> leastRecentlySeen(PeerId newcomer) {
        if (newcomer.equals(self)) {
            return Optional.empty();
        }
        LinkedHashMap<PeerId, Entry> bucket = bucketOf(newcomer);
        if (bucket.size() < k || bucket.containsKey(newcomer)) {
            return Optional.empty();
        }
        return bucket.values().stream().min(Comparator.comparingLong((Entry e) -> e.lastSeen))
                .map(e -> new PeerAddresses(e.peer, e.addresses));
    }

    /**
     * Puts {@code newcomer} in the place of {@code stale} (which failed its check), if {@code stale}
     * is still in the same bucket; otherwise adds the newcomer only if there is room now.
     *
     * @return whether the newcomer is in the table afterwards
     */
    public synchronized boolean replace(PeerId stale, PeerId newcomer, List<Multiaddr> addresses, long now) {
        LinkedHashMap<PeerId, Entry> bucket = bucketOf(newcomer);
        if (bucket.containsKey(stale)) {
            bucket.remove(stale);
        }
        return add(newcomer, addresses, now);
    }

    /** Marks a contact as seen now (it answered a check) without changing its addresses. */
    public synchronized void seen(PeerId peer, long now) {
        Entry e = bucketOf(peer).get(peer);
        if (e != null) {
            e.lastSeen = now;
            e.failures = 0;
        }
    }

    /** Notes that a lookup targeted {@code target}: its bucket needs no refresh for a while. */
    public synchronized void lookedUp(KadKey target, long now) {
        lastLookup[selfKey.commonPrefixLength(target)] = now;
    }

    /**
     * The buckets (common prefix lengths) a refresh should look up a random key in: those up to
     * the deepest non-empty bucket plus one, at most {@code maxCpl}, not targeted by a lookup for
     * {@code intervalMs}.
     */
    public synchronized List<Integer> staleBuckets(long now, long intervalMs, int maxCpl) {
        int deepest = 0;
        for (int i = 0; i < buckets.size(); i++) {
            if (!buckets.get(i).isEmpty()) {
                deepest = i;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int cpl = 0; cpl <= Math.min(deepest + 1, maxCpl); cpl++) {
            if (now - lastLookup[cpl] >= intervalMs) {
                out.add(cpl);
            }
        }
        return out;
    }

    /** This node's own point in the key space. */
    public KadKey selfKey() {
        return selfKey;
    }

    private LinkedHashMap<PeerId, Entry> bucketOf(PeerId peer) {
        return buckets.get(selfKey.commonPrefixLength(KadKey.of(peer.bytes())));
    }

    /** Records a failed query; a peer that failed repeatedly is dropped. */
    public synchronized void failed(PeerId peer) {
        LinkedHashMap<PeerId, Entry> bucket = buckets.get(selfKey.commonPrefixLength(KadKey.of(peer.bytes())));
        Entry e = bucket.get(peer);
        if (e != null && ++e.failures >= 3) {
            bucket.remove(peer);
        }
    }

    public synchronized void remove(PeerId peer) {
        buckets.get(selfKey.commonPrefixLength(KadKey.of(peer.bytes()))).remove(peer);
    }

    public synchronized Optional<PeerAddresses> find(PeerId peer) {
        Entry e = buckets.get(selfKey.commonPrefixLength(KadKey.of(peer.bytes()))).get(peer);
        return e == null ? Optional.empty() : Optional.of(new PeerAddresses(e.peer, e.addresses));
    }

    /** The {@code n} known peers closest to {@code target}, closest first. */
    public synchronized List<PeerAddresses> closest(KadKey target, int n) {
        List<Entry> all = new ArrayList<>();
        for (LinkedHashMap<PeerId, Entry> b : buckets) {
            all.addAll(b.values());
        }
        all.sort((a, b) -> target.compareDistance(a.key, b.key));
        List<PeerAddresses> out = new ArrayList<>();
        for (Entry e : all.subList(0, Math.min(n, all.size()))) {
            out.add(new PeerAddresses(e.peer, e.addresses));
        }
        return out;
    }

    public synchronized int size() {
        int n = 0;
        for (LinkedHashMap<PeerId, Entry> b : buckets) {
            n += b.size();
        }
        return n;
    }

    /** A snapshot per non-empty bucket, indexed by common prefix length. */
    public synchronized Map<Integer, List<PeerAddresses>> buckets() {
        Map<Integer, List<PeerAddresses>> out = new LinkedHashMap<>();
        for (int i = 0; i < buckets.size(); i++) {
            if (!buckets.get(i).isEmpty()) {
                List<PeerAddresses> list = new ArrayList<>();
                for (Entry e : buckets.get(i).values()) {
                    list.add(new PeerAddresses(e.peer, e.addresses));
                }
                out.put(i, list);
            }
        }
        return out;
    }
}
