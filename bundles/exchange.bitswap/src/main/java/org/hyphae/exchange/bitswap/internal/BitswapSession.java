package org.hyphae.exchange.bitswap.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hyphae.discovery.ContentRouting;
import org.hyphae.discovery.PeerAddresses;
import org.hyphae.exchange.ExchangeSession;
import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.VerifiedBlock;
import org.hyphae.transport.Multiaddr;

/**
 * One download's wants. A want goes as want-block to the session peer expected to deliver first
 * (fewest outstanding wants times its recent time per block, at most
 * {@link Bitswap.Settings#maxWantsPerPeer()} each, fewer while a peer is new; it waits for a full
 * peer rather than go to one that would deliver it much later) and as want-have to the peers not yet known to
 * hold the content, so that they join; with no peer known to hold it, want-have goes to every
 * connected Bitswap peer. A DONT_HAVE, a peer that delivers nothing for
 * {@link Bitswap.Settings#stallMillis()} while it owes blocks, a failed send or a peer that leaves
 * send the want elsewhere; a peer that stalls three times leaves the session. When no peer is left
 * to ask, providers are looked up through {@link ContentRouting}.
 *
 * <p>State is guarded by {@code this}; messages are queued to {@link PeerSender}s, which never call
 * back into a session while holding their own lock.
 */
final class BitswapSession implements ExchangeSession {

    private static final System.Logger LOG = System.getLogger(BitswapSession.class.getName());
    private static final int MAX_STALLS = 3;
    /**
     * A holder with room gets a want only if it would deliver it at most this many times later than
     * the soonest holder (full or not) would: estimates are rough, and a held want costs a turn.
     */
    private static final double HOLD_FOR_FASTER = 2.0;
    private static final int FIRST_WANTS = 4;

    private static final class PeerState {
        final PeerId id;
        boolean has;
        boolean excluded;
        int outstanding;
        final Set<Cid> owed = new LinkedHashSet<>();
        long lastProgress;
        long lastDelivery;
        long coolingUntil;
        /** A guess until the first block asked of it arrives ({@link #timed}), then a moving average. */
        double millisPerBlock = 20;
        boolean timed;
        long blocks;
        int stalls;

        PeerState(PeerId id) {
            this.id = id;
        }
    }

    private static final class Want {
        final Cid cid;
        final CompletableFuture<VerifiedBlock> future = new CompletableFuture<>();
        /** Whether the engine stores it on delivery: false while only {@link #getWithoutStoring} wants it. */
        boolean store;
        final long created;
        PeerId blockPeer;
        long sentAt;
        final Set<PeerId> asked = new HashSet<>();
        final Set<PeerId> dontHave = new HashSet<>();

        Want(Cid cid, long now) {
            this.cid = cid;
            this.created = now;
        }
    }

    private final Bitswap owner;
    private final String name;
    private final Map<PeerId, PeerState> peers = new LinkedHashMap<>();
    private final Map<Cid, Want> wants = new LinkedHashMap<>();
    /** Wants not assigned to a peer as want-block, oldest first. */
    private final LinkedHashSet<Want> waiting = new LinkedHashSet<>();
    private long lastProviderSearch;
    private long lastRefresh;
    private long lastDelivery;
    private boolean closed;

    BitswapSession(Bitswap owner, String name) {
        this.owner = owner;
        this.name = name;
    }

    @Override
    public CompletionStage<byte[]> get(Cid cid) {
        return want(cid, true, null).thenApply(Delivery::data);
    }

    @Override
    public CompletionStage<VerifiedBlock> getWithoutStoring(Cid cid) {
        return want(cid, false, local -> VerifiedBlock.compute(cid.version(), cid.codec(), cid.multihash().code(), local))
                .thenApply(Delivery::block);
    }

    /** A block from the store ({@code data}) or a peer ({@code block}). */
    private record Delivery(byte[] data, VerifiedBlock block) {

        static Delivery of(VerifiedBlock block) {
            return new Delivery(block.data(), block);
        }
    }

    /**
     * The shared part of both gets: from the store if it has the block ({@code fromStore} makes what
     * the caller of getWithoutStoring gets of it), else a want, marked to be stored on delivery if {@code store}.
     */
    private CompletableFuture<Delivery> want(Cid cid, boolean store,
            java.util.function.Function<byte[], VerifiedBlock> fromStore) {
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new CancellationException("session " + name + " is closed"));
            }
            Want existing = wants.get(cid);
            if (existing != null) {
                existing.store |= store;
                return existing.future.thenApply(Delivery::of);
            }
        }
        BlockStore blocks = owner.store();
        if (blocks == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no block store is bound"));
        }
        try {
            Optional<byte[]> local = blocks.get(cid);
            if (local.isPresent()) {
                return CompletableFuture.completedFuture(store ? new Delivery(local.get(), null)
                        : Delivery.of(fromStore.apply(local.get())));
            }
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
        Want w;
        synchronized (this) {
            Want existing = wants.get(cid);
            if (existing != null) {
                existing.store |= store;
                return existing.future.thenApply(Delivery::of);
            }
            w = new Want(cid, owner.now());
            w.store = store;
            wants.put(cid, w);
            owner.interested(this, cid);
            if (peers.isEmpty()) {
                refreshPeers();
            }
            dispatch(w);
        }
        return w.future.thenApply(Delivery::of);
    }

    /** Whether a request of this session wants {@code cid} stored on delivery. */
    synchronized boolean storesOnDelivery(Cid cid) {
        Want w = wants.get(cid);
        return w != null && w.store;
    }

    @Override
    public void addPeer(PeerId peer) {
        if (peer.equals(owner.host().localPeer()) || owner.scores().banned(peer)) {
            return;
        }
        synchronized (this) {
            if (closed || peers.containsKey(peer)) {
                return;
            }
            peers.put(peer, new PeerState(peer));
            // Ask the newcomer about everything nobody is delivering yet.
            for (Want w : waiting) {
                askHave(w, peers.get(peer));
            }
        }
    }

    @Override
    public synchronized List<PeerId> activePeers() {
        List<PeerState> active = new ArrayList<>();
        for (PeerState p : peers.values()) {
            if (p.has && !p.excluded) {
                active.add(p);
            }
        }
        active.sort(Comparator.comparingDouble(p -> p.millisPerBlock));
        return active.stream().map(p -> p.id).toList();
    }

    /** The peers of this session that delivered blocks, with how many (for tests and the benchmark). */
    synchronized Map<PeerId, Long> deliveries() {
        Map<PeerId, Long> out = new LinkedHashMap<>();
        for (PeerState p : peers.values()) {
            out.put(p.id, p.blocks);
        }
        return out;
    }

    @Override
    public void close() {
        List<Want> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(wants.values());
            for (Want w : all) {
                cancelAt(w, null);
                owner.uninterested(this, w.cid);
            }
            wants.clear();
            waiting.clear();
        }
        owner.closed(this);
        for (Want w : all) {
            w.future.completeExceptionally(new CancellationException("session " + name + " closed"));
        }
    }

    // ------------------------------------------------------------------ events from the engine

    void delivered(PeerId from, Cid cid, VerifiedBlock block) {
        Want w;
        synchronized (this) {
            w = wants.remove(cid);
            if (w == null) {
                return;
            }
            waiting.remove(w);
            owner.uninterested(this, cid);
            long now = owner.now();
            PeerState p = peers.get(from);
            if (p == null && !closed) {
                p = new PeerState(from);
                peers.put(from, p);
            }
            if (p != null) {
                p.has = true;
                p.blocks++;
                if (from.equals(w.blockPeer)) {
                    long start = Math.max(p.lastProgress, w.sentAt);
                    double sample = Math.max(1, now - start);
                    // The first sample replaces the guess, which may be far off either way (a paced peer's
                    // first block goes in its burst; the average catches up).
                    p.millisPerBlock = p.timed ? 0.8 * p.millisPerBlock + 0.2 * sample : sample;
                    p.timed = true;
                }
                p.lastProgress = now;
                p.lastDelivery = now;
                p.stalls = 0;
            }
            lastDelivery = now;
            if (w.blockPeer != null) {
                owe(w, false);
            }
            cancelAt(w, from);
            assignWaiting();
        }
        w.future.complete(block);
    }

    synchronized void presence(PeerId from, Cid cid, boolean have) {
        Want w = wants.get(cid);
        if (w == null || closed) {
            return;
        }
        PeerState p = peers.get(from);
        if (p == null) {
            if (!have || owner.scores().banned(from)) {
                return;
            }
            p = new PeerState(from);
            peers.put(from, p);
        }
        if (have) {
            p.has = true;
            w.dontHave.remove(from);
            if (w.blockPeer == null) {
                if (tryAssign(w) == Assignment.SENT) {
                    waiting.remove(w);
                }
            }
            return;
        }
        w.dontHave.add(from);
        if (from.equals(w.blockPeer)) {
            owe(w, false);
            dispatch(w);
        } else if (w.blockPeer == null) {
            dispatch(w);
        }
    }

    void failed(Cid cid, IOException e) {
        Want w;
        synchronized (this) {
            w = wants.remove(cid);
            if (w == null) {
                return;
            }
            waiting.remove(w);
            owner.uninterested(this, cid);
            if (w.blockPeer != null) {
                owe(w, false);
            }
            cancelAt(w, null);
        }
        w.future.completeExceptionally(e);
    }

    synchronized void peerGone(PeerId peer, String why) {
        PeerState p = peers.remove(peer);
        if (p == null) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "bitswap session " + name + ": peer " + peer + " gone (" + why + ")");
        reassignOwed(p);
    }

    synchronized void sendFailed(PeerId peer, BitswapMessage message) {
        PeerState p = peers.get(peer);
        if (p == null) {
            return;
        }
        p.coolingUntil = owner.now() + owner.settings().stallMillis();
        for (BitswapMessage.Entry e : message.entries()) {
            Want w = wants.get(e.cid());
            if (w != null) {
                w.asked.remove(peer);
            }
        }
        reassignOwed(p);
    }

    /** Periodic: new and departed peers, stalled peers, deadlines, provider searches. */
    void tick() {
        List<Want> expired = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            long now = owner.now();
            if (now - lastRefresh >= 1_000) {
                refreshPeers();
            }
            for (PeerState p : new ArrayList<>(peers.values())) {
                if (p.outstanding > 0 && now - p.lastProgress > owner.settings().stallMillis()) {
                    stalled(p, now);
                }
            }
            // A want fails once it is older than the deadline and the whole session is stuck (nothing
            // delivered lately): a slow download that makes progress is not cut short.
            long deadline = owner.settings().wantTimeoutMillis();
            if (now - Math.max(lastDelivery, 0) > Math.min(deadline, 2 * owner.settings().stallMillis())) {
                for (Want w : new ArrayList<>(wants.values())) {
                    if (now - w.created > deadline) {
                        waiting.remove(w);
                        wants.remove(w.cid);
                        if (w.blockPeer != null) {
                            owe(w, false);
                        }
                        owner.uninterested(this, w.cid);
                        cancelAt(w, null);
                        expired.add(w);
                    }
                }
            }
            assignWaiting();
            if (!waiting.isEmpty()) {
                Want first = waiting.iterator().next();
                if (askable(first).isEmpty() && noHolderFor(first)) {
                    searchProviders(first.cid, now);
                }
            }
        }
        for (Want w : expired) {
            w.future.completeExceptionally(Bitswap.unavailable(w.cid, "no peer delivered it within "
                    + owner.settings().wantTimeoutMillis() + " ms (session " + name + ")"));
        }
    }

    // ------------------------------------------------------------------ internals (hold the lock)

    private void refreshPeers() {
        lastRefresh = owner.now();
        List<PeerId> connected = owner.bitswapPeers();
        for (PeerId p : connected) {
            if (!peers.containsKey(p) && !p.equals(owner.host().localPeer())) {
                PeerState s = new PeerState(p);
                peers.put(p, s);
                for (Want w : waiting) {
                    askHave(w, s);
                }
            }
        }
        for (PeerState p : new ArrayList<>(peers.values())) {
            if (!owner.connected(p.id) || owner.scores().banned(p.id)) {
                peers.remove(p.id);
                reassignOwed(p);
            }
        }
    }

    private void stalled(PeerState p, long now) {
        p.stalls++;
        p.coolingUntil = now + owner.settings().stallMillis();
        p.millisPerBlock = Math.max(p.millisPerBlock * 2, owner.settings().stallMillis() / 4.0);
        int owed = p.outstanding;
        // Slow next to the others (they delivered meanwhile) is the peer's fault and costs score; when
        // nobody delivers, the network or this node is slow, and the peer is only asked less.
        boolean othersDelivered = false;
        boolean otherHolders = false;
        for (PeerState q : peers.values()) {
            if (q != p && !q.excluded && q.has) {
                otherHolders = true;
                othersDelivered |= now - q.lastDelivery < owner.settings().stallMillis();
            }
        }
        LOG.log(System.Logger.Level.INFO, "bitswap session " + name + ": peer " + p.id + " owed " + owed
                + " block(s) and delivered nothing for " + (now - p.lastProgress) + " ms"
                + (othersDelivered ? " while other peers did" : otherHolders ? "; nor did the other peers" : "")
                + "; its wants go elsewhere");
        boolean banned = othersDelivered && owner.scores().penalize(p.id, PeerScores.STALLED, "owed " + owed
                + " block(s) of session " + name + " and delivered nothing for " + (now - p.lastProgress)
                + " ms while other peers did");
        if (otherHolders && (p.stalls >= MAX_STALLS || banned)) {
            p.excluded = true;
            p.has = false;
            LOG.log(System.Logger.Level.INFO, "bitswap session " + name + ": peer " + p.id + " stalled " + p.stalls
                    + " times; no longer asked");
        }
        for (Cid cid : new ArrayList<>(p.owed)) {
            Want w = wants.get(cid);
            if (w != null) {
                owner.sender(p.id).entry(BitswapMessage.Entry.cancel(cid));
                w.asked.remove(p.id);
            }
        }
        reassignOwed(p);
        p.lastProgress = now;
    }

    private void reassignOwed(PeerState p) {
        List<Want> again = new ArrayList<>();
        for (Cid cid : new ArrayList<>(p.owed)) {
            Want w = wants.get(cid);
            if (w != null && p.id.equals(w.blockPeer)) {
                owe(w, false);
                again.add(w);
            }
        }
        p.owed.clear();
        p.outstanding = 0;
        for (Want w : again) {
            dispatch(w);
        }
    }

    /** Adds or removes {@code w} from its block peer's owed set. */
    private void owe(Want w, boolean add) {
        PeerState p = w.blockPeer == null ? null : peers.get(w.blockPeer);
        if (add) {
            p.owed.add(w.cid);
            if (p.outstanding++ == 0) {
                p.lastProgress = owner.now();
            }
        } else {
            if (p != null && p.owed.remove(w.cid)) {
                p.outstanding--;
            }
            w.blockPeer = null;
        }
    }

    /** Sends a want: want-block to the best holder, want-have to the others; else queues it. */
    private void dispatch(Want w) {
        if (closed || !wants.containsKey(w.cid)) {
            return;
        }
        if (tryAssign(w) == Assignment.SENT) {
            waiting.remove(w);
            return;
        }
        waiting.add(w);
        // Holders without room hear nothing yet: they get the want-block when they have room (and say
        // DONT_HAVE then if they lack it). A want-have to each of them per waiting want cost every
        // holder a lookup and the fetcher a HAVE to decode, for each block of a large file.
        boolean noHolder = noHolderFor(w);
        for (PeerState p : askable(w)) {
            if (!p.has || noHolder) {
                askHave(w, p);
            }
        }
        if (noHolder && askable(w).isEmpty()) {
            searchProviders(w.cid, owner.now());
        }
    }

    /** Peers not yet asked about {@code w} and not known to lack it. */
    private List<PeerState> askable(Want w) {
        List<PeerState> out = new ArrayList<>();
        for (PeerState p : peers.values()) {
            if (!p.excluded && !w.asked.contains(p.id) && !w.dontHave.contains(p.id)) {
                out.add(p);
            }
        }
        return out;
    }

    /** No peer of the session holds the session's content as far as we know. */
    private boolean noHolderFor(Want w) {
        for (PeerState p : peers.values()) {
            if (p.has && !p.excluded && !w.dontHave.contains(p.id)) {
                return false;
            }
        }
        return true;
    }

    private void askHave(Want w, PeerState p) {
        if (p.excluded || w.asked.contains(p.id) || w.dontHave.contains(p.id)) {
            return;
        }
        w.asked.add(p.id);
        owner.sender(p.id).entry(BitswapMessage.Entry.wantHave(w.cid, 1));
    }

    /** What {@link #tryAssign} did with a want. */
    private enum Assignment {
        /** Want-block went to a holder. */
        SENT,
        /** No holder has room for it. */
        NO_ROOM,
        /** The holders with room would deliver it much later than a full one will: it waits for that one. */
        HELD_FOR_FASTER
    }

    /**
     * Sends want-block to the holder expected to deliver first, if one has room, and if that one is
     * not much slower than waiting for a full holder. Without that check, a holder a tenth as fast as
     * the others took up to {@link Bitswap.Settings#maxWantsPerPeer()} wants whenever the fast ones
     * were full, and a download written in order waited for its queue (2 s for a 4 MB/s seeder of 256
     * KiB blocks), while the blocks from the fast ones piled up behind it; so a holder gets about as
     * many wants as it can deliver in the time the fastest takes for a full queue.
     */
    private Assignment tryAssign(Want w) {
        long now = owner.now();
        PeerState best = null;
        double bestCost = Double.MAX_VALUE;
        double bestArrival = 0;
        double soonest = Double.MAX_VALUE;
        int cap = owner.settings().maxWantsPerPeer();
        for (PeerState p : peers.values()) {
            if (!p.has || p.excluded || w.dontHave.contains(p.id)) {
                continue;
            }
            // When the want would arrive from p: after what p owes, at p's recent time per block.
            double arrival = (p.outstanding + 1) * p.millisPerBlock;
            boolean cooling = p.coolingUntil > now;
            if (!cooling) {
                soonest = Math.min(soonest, arrival);
            }
            if (p.outstanding >= room(p, cap)) {
                continue;
            }
            double cost = cooling ? arrival + 1e9 : arrival; // a cooling holder only if no other has room
            if (cost < bestCost) {
                bestCost = cost;
                bestArrival = arrival;
                best = p;
            }
        }
        if (best == null) {
            return Assignment.NO_ROOM;
        }
        if (bestArrival > HOLD_FOR_FASTER * soonest) {
            return Assignment.HELD_FOR_FASTER;
        }
        w.blockPeer = best.id;
        w.sentAt = now;
        w.asked.add(best.id);
        owe(w, true);
        owner.sender(best.id).entry(BitswapMessage.Entry.wantBlock(w.cid, 1));
        // Peers that may hold it too hear about it, so that they can join the session.
        for (PeerState p : peers.values()) {
            if (!p.has && !p.excluded) {
                askHave(w, p);
            }
        }
        return Assignment.SENT;
    }

    /**
     * How many wants {@code p} may owe: {@code cap}, but a peer starts with {@value #FIRST_WANTS} and
     * gets two more per block it delivers (a slow start, as TCP's), so a slow peer is not handed a
     * full queue before its first block shows it is slow.
     */
    private static int room(PeerState p, int cap) {
        return (int) Math.min(cap, FIRST_WANTS + 2 * p.blocks);
    }

    private void assignWaiting() {
        for (Iterator<Want> it = waiting.iterator(); it.hasNext();) {
            Want w = it.next();
            Assignment a = tryAssign(w);
            if (a == Assignment.SENT) {
                it.remove();
            } else if (a == Assignment.HELD_FOR_FASTER || !anyHolderHasRoom()) {
                return; // the wants after it would wait too (unless a fast holder lacks one: rare)
            }
        }
    }

    private boolean anyHolderHasRoom() {
        for (PeerState p : peers.values()) {
            if (p.has && !p.excluded && p.outstanding < room(p, owner.settings().maxWantsPerPeer())) {
                return true;
            }
        }
        return false;
    }

    /** Cancels {@code w} at every peer asked, except {@code except}. */
    private void cancelAt(Want w, PeerId except) {
        for (PeerId p : w.asked) {
            if (!p.equals(except)) {
                owner.sender(p).entry(BitswapMessage.Entry.cancel(w.cid));
            }
        }
        w.asked.clear();
    }

    private void searchProviders(Cid cid, long now) {
        ContentRouting routing = owner.routing();
        if (routing == null || now - lastProviderSearch < owner.settings().providerSearchMillis()) {
            return;
        }
        lastProviderSearch = now;
        LOG.log(System.Logger.Level.DEBUG, "bitswap session " + name + ": looking for providers of " + cid);
        routing.findProviders(cid, 10).whenComplete((found, e) -> {
            if (e != null) {
                LOG.log(System.Logger.Level.DEBUG, "bitswap session " + name + ": provider search failed: " + e);
                return;
            }
            for (PeerAddresses p : found) {
                if (p.peer().equals(owner.host().localPeer())) {
                    continue;
                }
                if (owner.connected(p.peer())) {
                    addPeer(p.peer());
                    continue;
                }
                connect(p, 0);
            }
        });
    }

    private void connect(PeerAddresses p, int index) {
        if (index >= p.addresses().size()) {
            return;
        }
        Multiaddr a = p.addresses().get(index);
        owner.host().connect(a.withPeerId(p.peer())).whenComplete((c, e) -> {
            if (e == null) {
                addPeer(p.peer());
            } else {
                connect(p, index + 1);
            }
        });
    }

    @Override
    public String toString() {
        return "bitswap session " + name;
    }
}
