package org.hyphae.exchange.bitswap.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.google.protobuf.InvalidProtocolBufferException;

import org.hyphae.discovery.ContentRouting;
import org.hyphae.exchange.BlockExchange;
import org.hyphae.exchange.ExchangeSession;
import org.hyphae.exchange.ExchangeStats;
import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.VerifiedBlock;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;
import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.MessageTooLargeException;
import org.hyphae.transport.streamio.StreamReader;

/**
 * Bitswap (ipfs/specs bitswap-protocol) over a {@link Host}: the inbound stream handler, the
 * {@link BlockServer serving side}, and the client side shared by the {@link BitswapSession}s.
 *
 * <p>Every received block gets the CID its bytes hash to (see {@link BitswapMessage}); only a block
 * whose CID a session wants is stored (as a {@link VerifiedBlock}: hashed once) and delivered. A block
 * that matches nothing asked for recently costs its sender score points.
 */
public final class Bitswap implements BlockExchange {

    private static final System.Logger LOG = System.getLogger(Bitswap.class.getName());

    public static final String PROTOCOL_120 = "/ipfs/bitswap/1.2.0";
    public static final String PROTOCOL_110 = "/ipfs/bitswap/1.1.0";
    public static final String PROTOCOL_100 = "/ipfs/bitswap/1.0.0";
    /** In order of preference. */
    public static final List<String> PROTOCOLS = List.of(PROTOCOL_120, PROTOCOL_110, PROTOCOL_100);

    /**
     * Limits and timings.
     *
     * @param maxMessageBytes the largest inbound message (Helia's and boxo's 4 MiB)
     * @param maxOutMessageBytes block bytes per outbound message (a single larger block goes alone)
     * @param maxWantlistEntries entries per peer want list, and per message
     * @param maxBytesInFlight block bytes handed to senders and not yet written, all peers together
     * @param maxBytesInFlightPerPeer the same per peer
     * @param maxWantsPerPeer want-blocks a session keeps outstanding at one peer
     * @param stallMillis a peer with outstanding want-blocks that delivers nothing this long is slow:
     *     its wants go elsewhere
     * @param wantTimeoutMillis a block nobody delivered for this long fails
     * @param providerSearchMillis the least time between two provider searches of a session
     * @param idleStreamMillis an outbound stream idle this long is closed
     * @param banThreshold score at or below minus this bans a peer
     * @param banMillis how long a ban lasts
     * @param maxSendBytesPerSecond block bytes served per second, all peers together (an upload
     *     limit); 0 for none
     */
    public record Settings(int maxMessageBytes, int maxOutMessageBytes, int maxWantlistEntries, long maxBytesInFlight,
            long maxBytesInFlightPerPeer, int maxWantsPerPeer, long stallMillis, long wantTimeoutMillis,
            long providerSearchMillis, long idleStreamMillis, int banThreshold, long banMillis,
            long maxSendBytesPerSecond) {

        public static Settings defaults() {
            return new Settings(4 << 20, 2 << 20, 1024, 64L << 20, 8L << 20, 32, 5_000, 60_000, 5_000, 5_000, 30,
                    TimeUnit.MINUTES.toMillis(10), 0);
        }

        /** These settings with block bytes served at most at {@code bytesPerSecond} (0: no limit). */
        public Settings withMaxSendBytesPerSecond(long bytesPerSecond) {
            return new Settings(maxMessageBytes, maxOutMessageBytes, maxWantlistEntries, maxBytesInFlight,
                    maxBytesInFlightPerPeer, maxWantsPerPeer, stallMillis, wantTimeoutMillis, providerSearchMillis,
                    idleStreamMillis, banThreshold, banMillis, bytesPerSecond);
        }
    }

    private final Host host;
    private final Supplier<BlockStore> store;
    private final Supplier<ContentRouting> routing;
    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final LongSupplier clock;
    private volatile Settings settings;
    private final PeerScores scores;
    private final BlockServer server;
    /**
     * Messages of a stream read ahead of the one being handled: 4 x the 2 MiB a sender puts in one.
     * One (as before) fetched 1 GiB from one seeder at 76 MB/s here, four at 90 MB/s.
     */
    static final int READ_AHEAD = 4;

    private final Map<PeerId, PeerSender> senders = new ConcurrentHashMap<>();
    private final Set<BitswapSession> sessions = new CopyOnWriteArraySet<>();
    private final Map<Cid, Set<BitswapSession>> interest = new ConcurrentHashMap<>();
    /** CIDs wanted lately, to tell a late duplicate from a block nobody asked for. */
    private final Map<Cid, Boolean> recentlyWanted = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Cid, Boolean> e) {
            return size() > 100_000;
        }
    });
    /** When each peer last delivered a wanted block (millis). */
    private final Map<PeerId, Long> lastDelivery = new ConcurrentHashMap<>();
    private final AtomicLong blocksReceived = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong badMessages = new AtomicLong();
    private final ScheduledFuture<?> ticker;
    private volatile boolean stopped;

    /**
     * @param store the current block store (may change between calls, may be null)
     * @param routing the current content routing, or null
     * @param executor runs message handling and store I/O (never the host's I/O threads)
     */
    public Bitswap(Host host, Supplier<BlockStore> store, Supplier<ContentRouting> routing, Executor executor,
            ScheduledExecutorService timer, Settings settings) {
        this.host = host;
        this.store = store;
        this.routing = routing;
        this.executor = executor;
        this.timer = timer;
        this.clock = System::currentTimeMillis;
        this.settings = settings;
        this.scores = new PeerScores(settings.banThreshold(), settings.banMillis(), clock);
        this.server = new BlockServer(this);
        this.ticker = timer.scheduleWithFixedDelay(this::tick, 200, 200, TimeUnit.MILLISECONDS);
    }

    Settings settings() {
        return settings;
    }

    public void settings(Settings next) {
        Settings before = settings;
        settings = next;
        if (before.maxSendBytesPerSecond() != next.maxSendBytesPerSecond()) {
            server.uploadLimitChanged();
        }
    }

    Host host() {
        return host;
    }

    Executor executor() {
        return executor;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    long now() {
        return clock.getAsLong();
    }

    BlockStore store() {
        return store.get();
    }

    ContentRouting routing() {
        return routing == null ? null : routing.get();
    }

    public PeerScores scores() {
        return scores;
    }

    BlockServer server() {
        return server;
    }

    /** Messages refused so far (malformed, oversized, floods). */
    public long badMessages() {
        return badMessages.get();
    }

    /** The score of a peer (0 = never penalized). */
    public int score(PeerId peer) {
        return scores.score(peer);
    }

    /** Entries of a peer's want list held by the serving side. */
    public int wantlistSize(PeerId peer) {
        return server.wantlistSize(peer);
    }

    PeerSender sender(PeerId peer) {
        return senders.computeIfAbsent(peer, p -> new PeerSender(p, this));
    }

    // ------------------------------------------------------------------ BlockExchange

    @Override
    public ExchangeSession newSession(String name) {
        if (stopped) {
            throw new IllegalStateException("bitswap is stopped");
        }
        BitswapSession s = new BitswapSession(this, name);
        sessions.add(s);
        return s;
    }

    @Override
    public void announce(Cid cid) {
        executor.execute(() -> server.announce(cid));
    }

    @Override
    public ExchangeStats stats() {
        long since = now() - 10_000;
        int serving = 0;
        for (long t : lastDelivery.values()) {
            if (t >= since) {
                serving++;
            }
        }
        return new ExchangeStats(blocksReceived.get(), bytesReceived.get(), duplicates.get(), rejected.get(),
                server.blocksSent.get(), server.bytesSent.get(), sessions.size(), serving, server.peersServed());
    }

    public void stop() {
        stopped = true;
        ticker.cancel(false);
        for (BitswapSession s : sessions) {
            s.close();
        }
        for (PeerSender s : senders.values()) {
            s.close();
        }
        senders.clear();
    }

    // ------------------------------------------------------------------ inbound

    /** Serves an inbound Bitswap stream: reads messages until the peer closes it. */
    public void handle(Stream stream) {
        PeerId from = stream.remotePeer();
        // We never answer on the peer's stream (answers go on our own); close our side at once.
        stream.closeWrite();
        if (scores.banned(from)) {
            stream.reset();
            return;
        }
        StreamReader reader = new StreamReader(stream);
        // Messages are handled off the I/O thread: their blocks hashed and stored in parallel, also
        // with those of the messages before; their presences and want lists in order. Up to
        // READ_AHEAD messages are read while earlier ones are handled, and no further until the
        // oldest is done (the stream's flow-control window then holds the peer back).
        // The messages read and not yet known to be handled, newest last; only the read loop touches it.
        java.util.ArrayDeque<CompletableFuture<Void>> handling = new java.util.ArrayDeque<>();
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        AsyncLoop.<Boolean>run(() -> reader.readLengthPrefixedParts(settings.maxMessageBytes()).thenCompose(body -> {
            CompletableFuture<Void> previous = handling.isEmpty() ? CompletableFuture.completedFuture(null) : handling.peekLast();
            if (body.isEmpty()) {
                return previous.thenApply(v -> Optional.of(true));
            }
            CompletableFuture<Void> mine = receive(from, body.get(), reader, previous).toCompletableFuture();
            // A bad message ends the stream at once, even while the next read waits.
            mine.whenComplete((v, e) -> {
                if (e != null) {
                    streamFailed(from, stream, ended, e);
                }
            });
            handling.addLast(mine);
            CompletableFuture<Void> oldest = handling.size() > READ_AHEAD ? handling.removeFirst() : CompletableFuture.completedFuture(null);
            return oldest.thenApply(v -> Optional.<Boolean>empty());
        })).whenComplete((v, e) -> {
            if (e != null) {
                streamFailed(from, stream, ended, e);
            }
        });
    }

    private void streamFailed(PeerId from, Stream stream, java.util.concurrent.atomic.AtomicBoolean ended, Throwable e) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        Throwable cause = AsyncLoop.unwrap(e);
        if (cause instanceof MessageTooLargeException || cause instanceof InvalidProtocolBufferException) {
            badMessages.incrementAndGet();
            scores.penalize(from, PeerScores.MALFORMED, cause.getMessage());
        }
        LOG.log(System.Logger.Level.DEBUG, "bitswap stream from " + from + " ended: " + cause.getMessage());
        stream.reset();
    }

    /**
     * Handles one message. Its blocks are hashed and stored in parallel on the executor at once,
     * while those of earlier messages may still be stored: a store that syncs each block to disk
     * then has several syncs under way, which the file system commits together (on ext4, one
     * writer synced 104 MB/s of 256 KiB blocks, four 133, sixteen 202). Its presences and want
     * list are handled once its blocks are stored and the message before it is handled.
     * A malformed message fails the stream (as a completion failure).
     *
     * @param previous completes when the message before this one is handled
     * @return completes when this message is handled
     */
    CompletionStage<Void> receive(PeerId from, List<ByteBuffer> body, StreamReader reader, CompletionStage<Void> previous) {
        // One task on the executor decodes and starts the blocks, the last one itself: a
        // continuation of the decode could run on the thread reading the stream.
        return CompletableFuture.supplyAsync(() -> {
            Optional<BitswapMessage> message = decode(from, body, reader);
            if (message.isEmpty()) {
                return previous; // refused whole; the stream goes on
            }
            List<BitswapMessage.Incoming> incoming = message.get().incoming();
            CompletableFuture<?>[] blocks = new CompletableFuture<?>[incoming.size()];
            for (int i = 0; i < blocks.length; i++) {
                BitswapMessage.Incoming b = incoming.get(i);
                blocks[i] = i == blocks.length - 1 ? CompletableFuture.runAsync(() -> received(from, b), Runnable::run)
                        : CompletableFuture.runAsync(() -> received(from, b), executor);
            }
            return CompletableFuture.allOf(blocks).thenCombine(previous, (a, b) -> (Void) null)
                    .thenRun(() -> control(from, message.get()));
        }, executor).thenCompose(handled -> handled);
    }

    /** The message, or empty if it is refused whole (its peer penalized); malformed: thrown. */
    private Optional<BitswapMessage> decode(PeerId from, List<ByteBuffer> body, StreamReader reader) {
        if (scores.banned(from)) {
            return Optional.empty();
        }
        try {
            return Optional.of(BitswapMessage.decode(body, settings.maxWantlistEntries()));
        } catch (BitswapMessage.WantlistTooLongException e) {
            badMessages.incrementAndGet();
            scores.penalize(from, PeerScores.FLOOD, reader.context() + ": " + e.getMessage());
            return Optional.empty();
        } catch (InvalidProtocolBufferException e) {
            throw new java.util.concurrent.CompletionException(
                    new InvalidProtocolBufferException(reader.context() + ": " + e.getMessage()));
        }
    }

    /** A message's presences and want list, after its blocks. */
    private void control(PeerId from, BitswapMessage message) {
        for (BitswapMessage.Presence p : message.presences()) {
            Set<BitswapSession> s = interest.get(p.cid());
            if (s != null) {
                for (BitswapSession session : s) {
                    session.presence(from, p.cid(), p.have());
                }
            }
        }
        if (!message.entries().isEmpty() || message.full()) {
            server.wants(from, message);
        }
    }

    private void received(PeerId from, BitswapMessage.Incoming incoming) {
        VerifiedBlock block = incoming.verify();
        Cid cid = block.cid();
        Set<BitswapSession> wanting = interest.get(cid);
        if (wanting == null || wanting.isEmpty()) {
            if (recentlyWanted.containsKey(cid) || recentlyWanted.containsKey(cid.toV1())) {
                duplicates.incrementAndGet();
            } else {
                rejected.incrementAndGet();
                if (scores.penalize(from, PeerScores.BAD_BLOCK, "sent a block of " + block.data().length
                        + " bytes that hashes to " + cid + ", which nobody asked for")) {
                    banned(from);
                }
            }
            return;
        }
        // A session that stores the block itself (a reference into its output file) is given it
        // unstored, unless another request wants it stored here; it announces the block once stored.
        boolean store = false;
        try {
            BlockStore s = store();
            if (s == null) {
                throw new StorageException("no block store is bound", (Throwable) null);
            }
            for (BitswapSession session : wanting) {
                store |= session.storesOnDelivery(cid);
            }
            if (store) {
                s.put(block); // hashed once, above: the store need not hash it again
            }
        } catch (StorageException e) {
            LOG.log(System.Logger.Level.WARNING, "bitswap: cannot store " + cid + " from " + from + ": " + e.getMessage());
            for (BitswapSession session : wanting) {
                session.failed(cid, e);
            }
            return;
        }
        blocksReceived.incrementAndGet();
        bytesReceived.addAndGet(block.data().length);
        lastDelivery.put(from, now());
        for (BitswapSession session : wanting) {
            session.delivered(from, cid, block);
        }
        if (store) {
            server.announce(cid);
        }
    }

    // ------------------------------------------------------------------ client plumbing

    void interested(BitswapSession session, Cid cid) {
        recentlyWanted.put(cid, Boolean.TRUE);
        interest.computeIfAbsent(cid, c -> new CopyOnWriteArraySet<>()).add(session);
    }

    void uninterested(BitswapSession session, Cid cid) {
        interest.computeIfPresent(cid, (c, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
    }

    void closed(BitswapSession session) {
        sessions.remove(session);
    }

    /** The connected peers that serve Bitswap (or have not told yet), not banned. */
    List<PeerId> bitswapPeers() {
        List<PeerId> out = new ArrayList<>();
        for (Connection c : host.connections()) {
            PeerId p = c.remotePeer();
            if (out.contains(p) || scores.banned(p)) {
                continue;
            }
            Optional<PeerInfo> info = host.peerInfo(p);
            if (info.isPresent() && !info.get().protocols().isEmpty()
                    && PROTOCOLS.stream().noneMatch(info.get().protocols()::contains)) {
                continue;
            }
            out.add(p);
        }
        return out;
    }

    boolean connected(PeerId peer) {
        return !host.connections(peer).isEmpty();
    }

    boolean banned(PeerId peer) {
        for (BitswapSession s : sessions) {
            s.peerGone(peer, "ignored after misbehaving");
        }
        server.forget(peer);
        return true;
    }

    /** A message was written: release the serving side's in-flight bytes. */
    void sent(PeerId peer, BitswapMessage message) {
        server.released(peer, message.blockBytes(), message.blocks().size(), true);
    }

    void sendFailed(PeerId peer, BitswapMessage message, List<BitswapMessage.Block> dropped, Throwable cause) {
        long bytes = message.blockBytes();
        for (BitswapMessage.Block b : dropped) {
            bytes += b.data().length;
        }
        server.released(peer, bytes, message.blocks().size() + dropped.size(), false);
        if (!connected(peer) || cause instanceof org.hyphae.transport.ProtocolNotSupportedException) {
            senders.remove(peer);
            server.forget(peer);
            for (BitswapSession s : sessions) {
                s.peerGone(peer, cause.getMessage());
            }
        } else {
            for (BitswapSession s : sessions) {
                s.sendFailed(peer, message);
            }
        }
    }

    private void tick() {
        try {
            for (BitswapSession s : sessions) {
                s.tick();
            }
            // Forget senders and ledgers of peers that left.
            for (PeerId p : senders.keySet()) {
                if (!connected(p)) {
                    PeerSender s = senders.remove(p);
                    if (s != null) {
                        s.close();
                    }
                    server.forget(p);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "bitswap tick failed", e);
        }
    }

    static IOException unavailable(Cid cid, String why) {
        return new org.hyphae.exchange.BlockUnavailableException(cid, why);
    }
}
