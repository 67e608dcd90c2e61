package org.hyphae.exchange.bitswap.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Cid;
import org.hyphae.transport.Stream;
import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.StreamReader;

/**
 * The outbound side towards one peer: queues want-list entries, presences and blocks, coalesces
 * them into messages of at most {@link Bitswap.Settings#maxOutMessageBytes()} of blocks, and writes
 * one message at a time on one stream it keeps open while there is traffic (Helia drops a Bitswap
 * stream idle for 10 s, so it is closed after a shorter idle time and opened again when needed).
 */
final class PeerSender {

    private static final System.Logger LOG = System.getLogger(PeerSender.class.getName());

    private final PeerId peer;
    private final Bitswap owner;
    private final LinkedHashMap<Cid, BitswapMessage.Entry> entries = new LinkedHashMap<>();
    private final LinkedHashMap<Cid, BitswapMessage.Presence> presences = new LinkedHashMap<>();
    private final List<BitswapMessage.Block> blocks = new ArrayList<>();
    private boolean writing;
    private CompletionStage<Stream> stream;
    private ScheduledFuture<?> idleClose;
    private boolean closed;

    PeerSender(PeerId peer, Bitswap owner) {
        this.peer = peer;
        this.owner = owner;
    }

    PeerId peer() {
        return peer;
    }

    void entry(BitswapMessage.Entry e) {
        synchronized (this) {
            BitswapMessage.Entry queued = entries.get(e.cid());
            // A want-block is not downgraded to a want-have still waiting to be sent.
            if (queued != null && !queued.cancel() && !queued.wantHave() && !e.cancel() && e.wantHave()) {
                return;
            }
            entries.put(e.cid(), e);
        }
        kick();
    }

    void presence(BitswapMessage.Presence p) {
        synchronized (this) {
            presences.put(p.cid(), p);
        }
        kick();
    }

    void block(BitswapMessage.Block b) {
        synchronized (this) {
            blocks.add(b);
        }
        kick();
    }

    /** Bytes of blocks queued and not yet written. */
    synchronized long queuedBlockBytes() {
        long n = 0;
        for (BitswapMessage.Block b : blocks) {
            n += b.data().length;
        }
        return n;
    }

    private void kick() {
        synchronized (this) {
            if (writing || closed || (entries.isEmpty() && presences.isEmpty() && blocks.isEmpty())) {
                return;
            }
            writing = true;
            if (idleClose != null) {
                idleClose.cancel(false);
                idleClose = null;
            }
        }
        owner.executor().execute(this::writeNext);
    }

    private BitswapMessage take() {
        synchronized (this) {
            int maxEntries = owner.settings().maxWantlistEntries();
            List<BitswapMessage.Entry> e = new ArrayList<>();
            var it = entries.values().iterator();
            while (it.hasNext() && e.size() < maxEntries) {
                e.add(it.next());
                it.remove();
            }
            List<BitswapMessage.Presence> p = new ArrayList<>(presences.values());
            presences.clear();
            List<BitswapMessage.Block> b = new ArrayList<>();
            long bytes = 0;
            while (!blocks.isEmpty() && (b.isEmpty() || bytes + blocks.get(0).data().length <= owner.settings().maxOutMessageBytes())) {
                BitswapMessage.Block next = blocks.remove(0);
                bytes += next.data().length;
                b.add(next);
            }
            return BitswapMessage.of(e, b, p);
        }
    }

    private void writeNext() {
        BitswapMessage message = take();
        if (message.isEmpty()) {
            synchronized (this) {
                writing = false;
                if (!entries.isEmpty() || !presences.isEmpty() || !blocks.isEmpty()) {
                    // Something arrived between take() and here.
                    writing = true;
                    owner.executor().execute(this::writeNext);
                    return;
                }
                if (stream != null && !closed) {
                    idleClose = owner.timer().schedule(this::closeIdle, owner.settings().idleStreamMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
            return;
        }
        write(message, true).whenComplete((v, error) -> {
            if (error != null) {
                Throwable cause = AsyncLoop.unwrap(error);
                LOG.log(System.Logger.Level.DEBUG, "bitswap: sending to " + peer + " failed: " + cause);
                List<BitswapMessage.Block> dropped;
                synchronized (this) {
                    writing = false;
                    stream = null;
                    entries.clear();
                    presences.clear();
                    dropped = new ArrayList<>(blocks);
                    blocks.clear();
                }
                owner.sendFailed(peer, message, dropped, cause);
                return;
            }
            owner.sent(peer, message);
            writeNext();
        });
    }

    /** Writes on the open stream; if that fails and the stream was reused, once more on a new one. */
    private CompletionStage<Void> write(BitswapMessage message, boolean retry) {
        boolean reused;
        CompletionStage<Stream> s;
        synchronized (this) {
            reused = stream != null;
            if (stream == null) {
                stream = open();
            }
            s = stream;
        }
        return s.thenCompose(st -> st.write(message.encodeParts(st.protocol())))
                .handle((v, e) -> {
                    if (e == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    synchronized (this) {
                        if (stream == s) {
                            stream = null;
                        }
                    }
                    s.thenAccept(Stream::reset);
                    if (retry && reused) {
                        return write(message, false);
                    }
                    return CompletableFuture.<Void>failedFuture(e);
                }).thenCompose(x -> x);
    }

    private CompletionStage<Stream> open() {
        return owner.host().newStream(peer, Bitswap.PROTOCOLS).thenApply(st -> {
            // The peer never writes on our stream (Helia closes its side at once): read to the end.
            new StreamReader(st).drain();
            return st;
        });
    }

    private void closeIdle() {
        CompletionStage<Stream> s;
        synchronized (this) {
            if (writing || stream == null) {
                return;
            }
            s = stream;
            stream = null;
        }
        s.thenAccept(Stream::closeWrite);
    }

    void close() {
        CompletionStage<Stream> s;
        synchronized (this) {
            closed = true;
            s = stream;
            stream = null;
            entries.clear();
            presences.clear();
            blocks.clear();
        }
        if (s != null) {
            s.thenAccept(Stream::closeWrite);
        }
    }
}
