package org.hyphae.exchange.bitswap.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.StorageException;

/**
 * The serving side: each peer's want list (its ledger), and a fair queue over the peers with blocks
 * to send. Blocks are read and handed to the peer's {@link PeerSender} in round-robin order, one
 * block per peer per turn, while the bytes handed over and not yet written stay under a limit per
 * peer and one for all peers, so one greedy peer cannot starve the others or fill the heap. With
 * {@link Bitswap.Settings#maxSendBytesPerSecond()} set, an {@link UploadPacer} holds the turns back
 * to that rate, all peers together.
 */
final class BlockServer {

    private static final System.Logger LOG = System.getLogger(BlockServer.class.getName());

    /** One peer's want list and its queue of blocks we have and will send. */
    private static final class Ledger {
        final PeerId peer;
        final LinkedHashMap<Cid, BitswapMessage.Entry> wants = new LinkedHashMap<>();
        final ArrayDeque<Cid> toSend = new ArrayDeque<>();
        long inFlight;
        boolean ready;

        Ledger(PeerId peer) {
            this.peer = peer;
        }
    }

    private final Bitswap owner;
    private final Map<PeerId, Ledger> ledgers = new ConcurrentHashMap<>();
    /** Peers with blocks to send and room for more in flight, in turn order. Guarded by {@code this}. */
    private final ArrayDeque<Ledger> turns = new ArrayDeque<>();
    private long totalInFlight;
    private final AtomicBoolean pumping = new AtomicBoolean();
    private final UploadPacer pacer = new UploadPacer();
    /** The pump scheduled for when the pacer lets the next block go, or null. Guarded by {@code this}. */
    private ScheduledFuture<?> paced;
    /** Counts the paced pumps scheduled, so that one cancelled as it fired cannot clear a later one. */
    private long paceCount;
    final AtomicLong blocksSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();

    BlockServer(Bitswap owner) {
        this.owner = owner;
    }

    /** Applies a peer's want-list changes and answers what can be answered at once. */
    void wants(PeerId peer, BitswapMessage message) {
        BlockStore store = owner.store();
        Ledger ledger = ledgers.computeIfAbsent(peer, Ledger::new);
        List<BitswapMessage.Presence> answers = new ArrayList<>();
        int refused = 0;
        synchronized (this) {
            if (message.full()) {
                ledger.wants.clear();
                ledger.toSend.clear();
            }
        }
        for (BitswapMessage.Entry e : message.entries()) {
            if (e.cancel()) {
                synchronized (this) {
                    ledger.wants.remove(e.cid());
                    ledger.toSend.remove(e.cid());
                }
                continue;
            }
            synchronized (this) {
                if (!ledger.wants.containsKey(e.cid()) && ledger.wants.size() >= owner.settings().maxWantlistEntries()) {
                    refused++;
                    continue;
                }
                ledger.wants.put(e.cid(), e);
            }
            boolean have = has(store, e.cid());
            synchronized (this) {
                if (!ledger.wants.containsKey(e.cid())) {
                    continue; // cancelled meanwhile
                }
                if (e.wantHave()) {
                    if (have) {
                        ledger.wants.remove(e.cid());
                        answers.add(new BitswapMessage.Presence(e.cid(), true));
                    } else if (e.sendDontHave()) {
                        answers.add(new BitswapMessage.Presence(e.cid(), false));
                    }
                } else if (have) {
                    if (!ledger.toSend.contains(e.cid())) {
                        ledger.toSend.add(e.cid());
                    }
                } else if (e.sendDontHave()) {
                    answers.add(new BitswapMessage.Presence(e.cid(), false));
                }
            }
        }
        if (refused > 0) {
            owner.scores().penalize(peer, PeerScores.FLOOD, "want list over " + owner.settings().maxWantlistEntries()
                    + " entries: " + refused + " refused");
        }
        if (!answers.isEmpty()) {
            PeerSender sender = owner.sender(peer);
            for (BitswapMessage.Presence p : answers) {
                sender.presence(p);
            }
        }
        synchronized (this) {
            if (!ledger.toSend.isEmpty() && !ledger.ready) {
                ledger.ready = true;
                turns.add(ledger);
            }
        }
        pump();
    }

    private static boolean has(BlockStore store, Cid cid) {
        try {
            return store != null && store.has(cid);
        } catch (StorageException e) {
            LOG.log(System.Logger.Level.WARNING, "bitswap: block store failed for " + cid + ": " + e.getMessage());
            return false;
        }
    }

    /** A block was stored here: serve the peers that asked for it. */
    void announce(Cid cid) {
        for (Ledger ledger : ledgers.values()) {
            boolean haveAnswer = false;
            synchronized (this) {
                BitswapMessage.Entry e = ledger.wants.get(cid);
                if (e == null) {
                    continue;
                }
                if (e.wantHave()) {
                    ledger.wants.remove(cid);
                    haveAnswer = true;
                } else if (!ledger.toSend.contains(cid)) {
                    ledger.toSend.add(cid);
                    if (!ledger.ready) {
                        ledger.ready = true;
                        turns.add(ledger);
                    }
                }
            }
            if (haveAnswer) {
                owner.sender(ledger.peer).presence(new BitswapMessage.Presence(cid, true));
            }
        }
        pump();
    }

    /** Hands blocks to senders in turn while the in-flight limits allow; one pump at a time. */
    void pump() {
        if (!pumping.compareAndSet(false, true)) {
            return;
        }
        owner.executor().execute(() -> {
            try {
                while (true) {
                    Ledger ledger;
                    Cid cid;
                    long rate = owner.settings().maxSendBytesPerSecond();
                    synchronized (this) {
                        if (paced != null || totalInFlight >= owner.settings().maxBytesInFlight() || turns.isEmpty()) {
                            break;
                        }
                        long wait = pacer.waitNanos(rate, System.nanoTime());
                        if (wait > 0) {
                            long count = ++paceCount;
                            paced = owner.timer().schedule(() -> paceEnded(count), wait, TimeUnit.NANOSECONDS);
                            break;
                        }
                        ledger = turns.poll();
                        // At its limit, the peer waits for released() with its queue as it is. (Polled
                        // first, as before, the block was dropped: a want added to a peer at its limit
                        // put it in turn, and the peer waited for the block until its stall timeout.)
                        if (ledger.inFlight >= owner.settings().maxBytesInFlightPerPeer()
                                || (cid = ledger.toSend.poll()) == null) {
                            ledger.ready = false;
                            continue;
                        }
                        ledger.wants.remove(cid);
                    }
                    Optional<byte[]> data = read(cid);
                    synchronized (this) {
                        if (data.isPresent()) {
                            ledger.inFlight += data.get().length;
                            totalInFlight += data.get().length;
                            pacer.charge(rate, data.get().length, System.nanoTime());
                        }
                        if (!ledger.toSend.isEmpty() && ledger.inFlight < owner.settings().maxBytesInFlightPerPeer()) {
                            turns.add(ledger);
                        } else {
                            ledger.ready = false;
                        }
                    }
                    if (data.isPresent()) {
                        owner.sender(ledger.peer).block(new BitswapMessage.Block(cid, data.get()));
                    } else {
                        owner.sender(ledger.peer).presence(new BitswapMessage.Presence(cid, false));
                    }
                }
            } finally {
                pumping.set(false);
            }
            // Work added while this pump was ending.
            synchronized (this) {
                if (paced != null || turns.isEmpty() || totalInFlight >= owner.settings().maxBytesInFlight()) {
                    return;
                }
            }
            pump();
        });
    }

    private void paceEnded(long count) {
        synchronized (this) {
            if (count != paceCount || paced == null) {
                return; // cancelled by uploadLimitChanged, which pumped itself
            }
            paced = null;
        }
        pump();
    }

    /** The upload limit was changed: a wait at the old rate (long, at a low one) ends now. */
    void uploadLimitChanged() {
        synchronized (this) {
            if (paced != null) {
                paced.cancel(false);
                paced = null;
            }
        }
        pump();
    }

    private Optional<byte[]> read(Cid cid) {
        try {
            BlockStore store = owner.store();
            return store == null ? Optional.empty() : store.get(cid);
        } catch (StorageException e) {
            LOG.log(System.Logger.Level.WARNING, "bitswap: cannot serve " + cid + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Blocks of {@code bytes} were written to {@code peer} (or dropped): room for more. */
    void released(PeerId peer, long bytes, int blocks, boolean delivered) {
        if (bytes == 0 && blocks == 0) {
            return;
        }
        Ledger ledger = ledgers.get(peer);
        synchronized (this) {
            totalInFlight -= bytes;
            if (ledger != null) {
                ledger.inFlight -= bytes;
                if (!ledger.ready && !ledger.toSend.isEmpty()) {
                    ledger.ready = true;
                    turns.add(ledger);
                }
            }
        }
        if (delivered) {
            blocksSent.addAndGet(blocks);
            bytesSent.addAndGet(bytes);
        }
        pump();
    }

    /** The peer left: forget its want list. */
    void forget(PeerId peer) {
        Ledger ledger = ledgers.remove(peer);
        if (ledger != null) {
            synchronized (this) {
                turns.remove(ledger);
                ledger.toSend.clear();
                ledger.wants.clear();
            }
        }
    }

    /** The number of entries in a peer's want list here (for tests and statistics). */
    int wantlistSize(PeerId peer) {
        Ledger ledger = ledgers.get(peer);
        synchronized (this) {
            return ledger == null ? 0 : ledger.wants.size();
        }
    }

    int peersServed() {
        int n = 0;
        synchronized (this) {
            for (Ledger l : ledgers.values()) {
                if (!l.wants.isEmpty() || !l.toSend.isEmpty()) {
                    n++;
                }
            }
        }
        return n;
    }
}
