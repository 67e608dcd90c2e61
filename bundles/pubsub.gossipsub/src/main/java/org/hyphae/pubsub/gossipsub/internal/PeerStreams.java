package org.hyphae.pubsub.gossipsub.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.MultiaddrProtocol;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.ProtocolNotSupportedException;
import org.hyphae.transport.Stream;
import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.MalformedMessageException;
import org.hyphae.transport.streamio.MessageTooLargeException;
import org.hyphae.transport.streamio.StreamReader;

/**
 * The pubsub streams of each peer: one long-lived outbound stream for what we send (its protocol
 * decides what we speak with the peer), the peer's inbound stream for what it sends. Finds new
 * peers by looking at the host's connections each heartbeat (and answers a peer that opens a
 * stream to us with one back at once), reads inbound RPCs one at a time (the next frame only
 * after the router took the previous one, and while not too many of the peer's messages await
 * their verdict, so a fast sender is held back by flow control), writes each peer's
 * {@link OutboundQueue}, and forgets a peer when its streams or connection end. Router thread only.
 */
final class PeerStreams {

    private static final System.Logger LOG = System.getLogger(PeerStreams.class.getName());

    /** What the router does when a peer's outbound stream opens or goes, and with each RPC. */
    interface Events {
        void rpc(RouterPeer p, Rpc rpc);

        void activated(RouterPeer p);

        void deactivated(RouterPeer p);
    }

    private final Supplier<Host> host;
    private final Supplier<RouterParams> params;
    private final PeerTable peers;
    private final PeerScore score;
    private final RouterCounters counters;
    private final Executor routerThread;
    private final BooleanSupplier closed;
    private final LongSupplier nanos;
    private final Events events;
    private final BiConsumer<Stream, String> writeFailed = this::writeFailed;

    PeerStreams(Supplier<Host> host, Supplier<RouterParams> params, PeerTable peers, PeerScore score,
            RouterCounters counters, Executor routerThread, BooleanSupplier closed, LongSupplier nanos, Events events) {
        this.host = host;
        this.params = params;
        this.peers = peers;
        this.score = score;
        this.counters = counters;
        this.routerThread = routerThread;
        this.closed = closed;
        this.nanos = nanos;
        this.events = events;
    }

    // ------------------------------------------------------------------------------- inbound

    /** A peer opened a pubsub stream to us (on the router thread). */
    void inbound(Stream stream) {
        RouterPeer p = peers.getOrCreate(stream.remotePeer());
        if (p.in != null && p.in != stream) {
            // The peer replaced its stream (reconnect, or a second connection): the newest one wins.
            p.in.reset();
        }
        p.in = stream;
        if (p.connection == null) {
            attachConnection(p, stream.connection());
        }
        if (!p.active() && !p.opening) {
            openOutbound(p, stream.connection());
        }
        readLoop(p, stream);
    }

    private void readLoop(RouterPeer p, Stream stream) {
        StreamReader reader = new StreamReader(stream);
        int limit = params.get().maxRpcSize();
        AsyncLoop.<Boolean>run(() -> reader.readLengthPrefixed(limit).thenCompose(frame -> {
            if (frame.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.of(true));
            }
            // Decoded on the router thread: the I/O thread only moves bytes.
            byte[] bytes = frame.get();
            CompletableFuture<Optional<Boolean>> next = new CompletableFuture<>();
            routerThread.execute(() -> {
                Rpc rpc;
                try {
                    rpc = Rpc.decode(bytes, Rpc.Limits.DEFAULT);
                } catch (IOException e) {
                    next.completeExceptionally(new IOException("malformed RPC from " + p.id + ": " + e.getMessage(), e));
                    return;
                }
                try {
                    if (p.in == stream) {
                        events.rpc(p, rpc);
                    }
                } finally {
                    Optional<Boolean> go = p.in == stream && !closed.getAsBoolean() ? Optional.empty() : Optional.of(false);
                    if (go.isEmpty() && p.validating > ValidationPipeline.MAX_VALIDATING_PER_PEER) {
                        p.resumeRead = () -> next.complete(p.in == stream && !closed.getAsBoolean() ? Optional.empty()
                                : Optional.of(false));
                    } else {
                        next.complete(go);
                    }
                }
            });
            return next;
        })).whenComplete((eof, e) -> routerThread.execute(() -> {
            if (e != null) {
                Throwable cause = AsyncLoop.unwrap(e);
                if (!closed.getAsBoolean() && p.in == stream) {
                    LOG.log(Level.DEBUG, "pubsub stream from {0} failed: {1}", p.id, cause.toString());
                    if (cause instanceof MessageTooLargeException || cause instanceof MalformedMessageException
                            || cause.getMessage() != null && cause.getMessage().startsWith("malformed RPC")) {
                        counters.malformedRpcs++;
                        score.behaviourPenalty(p.id, 1);
                    }
                }
                stream.reset();
            } else if (Boolean.TRUE.equals(eof)) {
                stream.closeWrite();
            }
            if (p.in == stream) {
                p.in = null;
                p.resumeRead = null;
            }
        }));
    }

    // ------------------------------------------------------------------------------- outbound

    /** Opens a stream to each connected peer that has none yet and may speak pubsub (each heartbeat). */
    void pollConnections(long now) {
        Host h = host.get();
        if (h == null) {
            return;
        }
        for (Connection c : h.connections()) {
            consider(h, c, now);
        }
    }

    /**
     * Opens a stream to a peer that identify has just described, if it speaks pubsub and has none
     * yet: at once rather than at the next heartbeat.
     */
    void peerIdentified(PeerId peer, long now) {
        Host h = host.get();
        if (h == null) {
            return;
        }
        List<Connection> connections = h.connections(peer);
        if (!connections.isEmpty()) {
            consider(h, connections.get(0), now);
        }
    }

    private void consider(Host h, Connection c, long now) {
        PeerId pid = c.remotePeer();
        RouterPeer p = peers.get(pid);
        if (p != null && (p.active() || p.opening)) {
            return;
        }
        Optional<PeerInfo> info = h.peerInfo(pid);
        if (info.isPresent() && Collections.disjoint(info.get().protocols(), GossipRouter.PROTOCOLS)) {
            return; // identify says it speaks no pubsub
        }
        if (p != null && now < p.retryAt
                && !(info.isPresent() && !info.get().protocols().equals(p.protocolsWhenRefused))) {
            return;
        }
        RouterPeer q = peers.getOrCreate(pid);
        if (q.connection == null) {
            attachConnection(q, c);
        }
        openOutbound(q, c);
    }

    private void attachConnection(RouterPeer p, Connection c) {
        p.connection = c;
        p.direction = c.direction();
        p.ip = ipOf(c.remoteAddress());
        c.closed().whenComplete((v, e) -> routerThread.execute(() -> connectionClosed(p, c)));
    }

    private void connectionClosed(RouterPeer p, Connection c) {
        if (p.connection != c) {
            return;
        }
        Host h = host.get();
        List<Connection> others = h == null ? List.of() : h.connections(p.id);
        if (!others.isEmpty()) {
            attachConnection(p, others.get(0));
            return;
        }
        remove(p);
    }

    private void openOutbound(RouterPeer p, Connection c) {
        p.opening = true;
        c.newStream(GossipRouter.PROTOCOLS).whenComplete((s, e) -> routerThread.execute(() -> {
            p.opening = false;
            RouterParams rp = params.get();
            if (e != null) {
                Throwable cause = AsyncLoop.unwrap(e);
                p.retryAt = nanos.getAsLong() + rp.connectRetry().toNanos();
                if (cause instanceof ProtocolNotSupportedException) {
                    Host h = host.get();
                    p.protocolsWhenRefused = h == null ? null : h.peerInfo(p.id).map(PeerInfo::protocols).orElse(null);
                    p.retryAt = nanos.getAsLong() + rp.connectRetry().toNanos() * 6;
                }
                LOG.log(Level.DEBUG, "no pubsub stream to {0}: {1}", p.id, cause.toString());
                if (p.in == null && !p.active()) {
                    peers.remove(p);
                    p.connection = null;
                }
                return;
            }
            if (closed.getAsBoolean() || p.active()) {
                s.reset();
                return;
            }
            peers.restore(p);
            p.out = s;
            p.protocol = s.protocol();
            if (p.connection == null) {
                attachConnection(p, s.connection());
            }
            events.activated(p);
            watchOutbound(p, s);
            p.outbound.pump(p, routerThread, writeFailed);
        }));
    }

    /** The peer never writes on our outbound stream; reading it tells us when it goes away. */
    private void watchOutbound(RouterPeer p, Stream s) {
        AsyncLoop.<Boolean>run(() -> s.read().thenApply(chunk -> chunk.isEmpty() ? Optional.of(true)
                : Optional.<Boolean>empty()))
                .whenComplete((v, e) -> routerThread.execute(() -> {
                    if (p.out == s) {
                        outboundGone(p, s, e == null ? "closed by the peer" : AsyncLoop.unwrap(e).toString());
                    }
                }));
    }

    private void writeFailed(Stream s, String why) {
        RouterPeer p = peers.get(s.remotePeer());
        if (p != null) {
            outboundGone(p, s, why);
        }
    }

    private void outboundGone(RouterPeer p, Stream s, String why) {
        if (p.out != s) {
            return;
        }
        LOG.log(Level.DEBUG, "pubsub stream to {0} ended: {1}", p.id, why);
        s.reset();
        deactivate(p);
        p.retryAt = nanos.getAsLong() + params.get().heartbeatInterval().toNanos();
    }

    private void deactivate(RouterPeer p) {
        p.out = null;
        p.protocol = null;
        p.outbound.clear();
        peers.clean(p);
        for (String t : p.topics) {
            peers.unindex(p.id, t);
        }
        events.deactivated(p);
        score.removePeer(p.id);
    }

    private void remove(RouterPeer p) {
        if (p.active()) {
            Stream s = p.out;
            deactivate(p);
            s.reset();
        }
        if (p.in != null) {
            p.in.reset();
            p.in = null;
        }
        p.topics.clear();
        peers.remove(p);
    }

    // ------------------------------------------------------------------------------- output

    /** Frames what each peer has pending and starts writing (end of every router task). */
    void flush() {
        List<RouterPeer> list = peers.takeDirty();
        if (list.isEmpty()) {
            return;
        }
        java.util.Map<Rpc.WireMessage, byte[]> framed = new java.util.IdentityHashMap<>();
        long maxQueued = params.get().maxOutboundQueueBytes();
        for (RouterPeer p : list) {
            if (!p.active()) {
                // Not writable yet (outbound stream still opening): keep it pending until it opens.
                if (p.opening) {
                    peers.dirty(p);
                } else {
                    p.outbound.clearPending();
                }
                continue;
            }
            counters.droppedOutbound += p.outbound.frame(p.meshsub(), framed, maxQueued);
            p.outbound.pump(p, routerThread, writeFailed);
        }
    }

    /** Closes every stream (the router stops). */
    void closeAll() {
        for (RouterPeer p : peers.all()) {
            if (p.out != null) {
                p.out.closeWrite();
            }
            if (p.in != null) {
                p.in.reset();
            }
        }
    }

    static String ipOf(Multiaddr a) {
        if (a == null) {
            return null;
        }
        return a.valueFor(MultiaddrProtocol.IP4).or(() -> a.valueFor(MultiaddrProtocol.IP6)).orElse(null);
    }
}
