package org.hyphae.ledger.internal;

import java.io.EOFException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.hyphae.ledger.Transaction;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;
import org.hyphae.transport.streamio.LengthPrefixed;
import org.hyphae.transport.streamio.StreamReader;

/**
 * Catches up with peers over {@value SyncMessage#PROTOCOL}, and serves it. A round asks every
 * connected peer for its status; if one has a heavier chain, it finds where that chain leaves
 * ours, downloads and verifies its headers first (link, height, time, the engine's seal rules),
 * then fetches the bodies from every peer that has them, several requests in flight, checks each
 * body against its header's transaction root, and imports block by block with full verification.
 * A peer that serves something invalid is penalized and the round stops; the chain keeps what
 * was verified before the bad block and nothing of what follows.
 */
final class ChainSync {

    private static final System.Logger LOG = System.getLogger(ChainSync.class.getName());
    private static final long REQUEST_TIMEOUT_MS = 15_000;
    private static final int BODY_CHUNK = 32;
    private static final int MAX_HEADERS_PER_ROUND = 20_000;

    private final Chain chain;
    private final Supplier<Host> host;
    private final PeerPenalties penalties;
    private final ScheduledExecutorService thread;
    private final ExecutorService serving;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Map<PeerId, SyncMessage.Status> statuses = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile long blocksImported;
    private String lastMissingEngine;

    ChainSync(Chain chain, Supplier<Host> host, PeerPenalties penalties, ScheduledExecutorService thread, ExecutorService serving) {
        this.chain = chain;
        this.host = host;
        this.penalties = penalties;
        this.thread = thread;
        this.serving = serving;
    }

    void start(long intervalMs) {
        thread.scheduleWithFixedDelay(() -> round(false), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Runs a round soon (a block with an unknown parent arrived, or a test asked): it syncs from any peer ahead. */
    void trigger() {
        if (!closed && queued.compareAndSet(false, true)) {
            thread.execute(() -> {
                queued.set(false);
                round(true);
            });
        }
    }

    void close() {
        closed = true;
    }

    Map<PeerId, SyncMessage.Status> statuses() {
        return Map.copyOf(statuses);
    }

    long blocksImported() {
        return blocksImported;
    }

    // ---- server side ----

    void handle(Stream stream) {
        StreamReader reader = new StreamReader(stream);
        reader.readLengthPrefixed(SyncMessage.MAX_REQUEST).thenApplyAsync(req -> {
            if (req.isEmpty()) {
                throw new CompletionException(new EOFException(reader.context() + ": stream ended before the request"));
            }
            return answer(req.get(), reader.context());
        }, serving).thenCompose(resp -> stream.write(LengthPrefixed.frame(resp))).thenCompose(v -> stream.closeWrite())
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.log(System.Logger.Level.DEBUG, "ledger sync: " + reader.context() + ": " + e.getMessage());
                        stream.reset();
                    }
                });
    }

    private byte[] answer(byte[] req, String context) {
        if (req.length == 0) {
            throw new CompletionException(new IllegalArgumentException(context + ": empty request"));
        }
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(req);
        int type = in.get() & 0xff;
        try {
            switch (type) {
                case SyncMessage.STATUS: {
                    BlockHeader head = chain.head();
                    return new SyncMessage.Status(chain.genesis().hash(), head.height(), head.hash(), chain.headWeight()).encode();
                }
                case SyncMessage.HEADERS: {
                    if (req.length != 13) {
                        throw new IllegalArgumentException("headers request is " + req.length + " bytes, expected 13");
                    }
                    long from = in.getLong();
                    int count = Math.min(in.getInt(), SyncMessage.MAX_HEADERS);
                    List<byte[]> out = new ArrayList<>();
                    for (long h = Math.max(0, from); h < from + count; h++) {
                        Optional<BlockHeader> hd = chain.header(h);
                        if (hd.isEmpty()) {
                            break;
                        }
                        out.add(hd.get().encode());
                    }
                    return SyncMessage.list(out);
                }
                case SyncMessage.BODIES: {
                    int n = in.getInt();
                    if (n < 0 || n > SyncMessage.MAX_BODIES || in.remaining() != 32 * n) {
                        throw new IllegalArgumentException("bodies request for " + n + " blocks with " + in.remaining() + " bytes of hashes");
                    }
                    List<byte[]> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        byte[] h = new byte[32];
                        in.get(h);
                        out.add(chain.body(Hash.of(h)).orElse(new byte[0]));
                    }
                    return SyncMessage.list(out);
                }
                default:
                    throw new IllegalArgumentException("unknown request type " + type);
            }
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new CompletionException(new IllegalArgumentException(context + ": malformed request: " + e.getMessage(), e));
        }
    }

    // ---- client side ----

    private CompletableFuture<byte[]> request(PeerId peer, byte[] req) {
        Host h = host.get();
        if (h == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no host"));
        }
        return h.newStream(peer, List.of(SyncMessage.PROTOCOL)).toCompletableFuture().thenCompose(s -> {
            StreamReader reader = new StreamReader(s);
            return s.write(LengthPrefixed.frame(req)).thenCompose(v -> s.closeWrite())
                    .thenCompose(v -> reader.readLengthPrefixed(SyncMessage.MAX_RESPONSE)).thenApply(resp -> {
                        reader.drain();
                        return resp.orElseThrow(() -> new CompletionException(new EOFException(reader.context() + ": no response")));
                    }).whenComplete((v, e) -> {
                        if (e != null) {
                            s.reset();
                        }
                    });
        }).orTimeout(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(REQUEST_TIMEOUT_MS + 1000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException && e.getCause().getCause() != null ? e.getCause().getCause() : e.getCause();
            throw c instanceof Exception ex ? ex : new RuntimeException(c);
        }
    }

    private List<PeerId> candidates() {
        Host h = host.get();
        if (h == null) {
            return List.of();
        }
        Set<PeerId> out = new LinkedHashSet<>();
        for (Connection c : h.connections()) {
            PeerId p = c.remotePeer();
            Optional<PeerInfo> info = h.peerInfo(p);
            if (penalties.banned(p) || (info.isPresent() && !info.get().protocols().isEmpty()
                    && !info.get().protocols().contains(SyncMessage.PROTOCOL))) {
                continue;
            }
            out.add(p);
        }
        return new ArrayList<>(out);
    }

    /** Our head at the end of the last round (sync thread only). */
    private Hash headAtLastRound;

    /**
     * One sync round; runs on the sync thread. A periodic round leaves alone a peer that is only
     * one block ahead while our head moves: that block is on its way by gossip, or in our import
     * queue, and fetching it again raced the import for every block (under load most rounds did).
     * A peer further ahead, a head that stood still since the last round, or an urgent round syncs.
     */
    void round(boolean urgent) {
        if (closed) {
            return;
        }
        try {
            List<PeerId> peers = candidates();
            statuses.keySet().retainAll(peers);
            Map<PeerId, CompletableFuture<byte[]>> asks = new HashMap<>();
            for (PeerId p : peers) {
                asks.put(p, request(p, SyncMessage.statusRequest()));
            }
            PeerId best = null;
            for (Map.Entry<PeerId, CompletableFuture<byte[]>> e : asks.entrySet()) {
                try {
                    SyncMessage.Status st = SyncMessage.Status.decode(await(e.getValue()));
                    if (!st.genesis().equals(chain.genesis().hash())) {
                        statuses.remove(e.getKey());
                        continue;
                    }
                    statuses.put(e.getKey(), st);
                    if (st.weight() > chain.headWeight() && (best == null || st.weight() > statuses.get(best).weight())) {
                        best = e.getKey();
                    }
                } catch (IllegalArgumentException ex) {
                    penalties.penalize(e.getKey(), "malformed sync status: " + ex.getMessage());
                } catch (Exception ex) {
                    LOG.log(System.Logger.Level.DEBUG, "ledger sync: status from " + e.getKey() + " failed: " + ex);
                }
            }
            BlockHeader head = chain.head();
            if (best != null && (urgent || statuses.get(best).height() > head.height() + 1 || head.hash().equals(headAtLastRound))) {
                syncFrom(best, statuses.get(best));
            }
            headAtLastRound = chain.head().hash();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ledger sync round failed", e);
        }
    }

    private List<BlockHeader> headers(PeerId peer, long from, int count) throws Exception {
        List<byte[]> raw = SyncMessage.decodeList(await(request(peer, SyncMessage.headersRequest(from, count))),
                SyncMessage.MAX_HEADERS, "headers");
        List<BlockHeader> out = new ArrayList<>(raw.size());
        for (byte[] r : raw) {
            out.add(BlockHeader.decode(r));
        }
        return out;
    }

    /** Whether the peer's header at a height is our canonical one there with another seal. */
    private boolean resealed(PeerId source, long height) throws Exception {
        Optional<Hash> ours = chain.hashAt(height);
        if (ours.isEmpty()) {
            return false;
        }
        List<BlockHeader> theirs = headers(source, height, 1);
        Optional<BlockHeader> mine = chain.header(ours.get());
        return !theirs.isEmpty() && mine.isPresent() && theirs.get(0).height() == height && !theirs.get(0).hash().equals(ours.get())
                && java.util.Arrays.equals(theirs.get(0).unsealedBytes(), mine.get().unsealedBytes());
    }

    private void syncFrom(PeerId source, SyncMessage.Status st) {
        try {
            long finalized = chain.finalizedHeight();
            long from = Math.max(1, Math.min(chain.head().height() + 1, st.height()));
            long back = 8;
            boolean steppedBack = false;
            List<BlockHeader> batch;
            while (true) {
                batch = headers(source, from, SyncMessage.MAX_HEADERS);
                if (batch.isEmpty()) {
                    penalties.penalize(source, "claims height " + st.height() + " but serves no header at " + from);
                    return;
                }
                if (batch.get(0).height() != from) {
                    penalties.penalize(source, "asked for headers from " + from + ", served one at " + batch.get(0).height());
                    return;
                }
                Optional<Hash> ours = chain.hashAt(from - 1);
                if (ours.isPresent() && ours.get().equals(batch.get(0).parent())) {
                    break;
                }
                if (from - 1 <= finalized && !steppedBack && from > 1 && resealed(source, from - 1)) {
                    // The peer's block there is ours with another seal (BFT): fetch it too, it links the rest.
                    steppedBack = true;
                    from--;
                    continue;
                }
                if (from - 1 <= finalized) {
                    penalties.penalize(source, "serves a history that leaves ours at or below the finalized height " + finalized
                            + " (header #" + from + " has parent " + batch.get(0).parent().shortHex() + ")");
                    return;
                }
                from = Math.max(finalized + 1, from - back);
                back *= 4;
            }
            // Headers first: verify the whole chain of headers before asking for any body.
            Map<Hash, BlockHeader> pending = new HashMap<>();
            List<BlockHeader> headers = new ArrayList<>();
            BlockHeader parent = chain.header(batch.get(0).parent()).orElseThrow();
            boolean engineMissing = false;
            while (!batch.isEmpty() && headers.size() < MAX_HEADERS_PER_ROUND) {
                for (BlockHeader h : batch) {
                    if (chain.verifyHeader(parent, h, pending).isEmpty()) {
                        String engine = chain.spec().engineAt(h.height()).engine();
                        // Said once per wait, not every round: the ledger's own warning names the bundle.
                        LOG.log(engine.equals(lastMissingEngine) ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                                "ledger sync: stops at height " + h.height() + ": engine \"" + engine + "\" is not installed");
                        lastMissingEngine = engine;
                        engineMissing = true;
                        break;
                    }
                    pending.put(h.hash(), h);
                    headers.add(h);
                    parent = h;
                }
                if (engineMissing || parent.height() >= st.height() || batch.size() < SyncMessage.MAX_HEADERS) {
                    break;
                }
                batch = headers(source, parent.height() + 1, SyncMessage.MAX_HEADERS);
            }
            if (!engineMissing) {
                lastMissingEngine = null;
            }
            bodiesAndImport(source, headers);
        } catch (InvalidBlockException e) {
            penalties.penalize(source, "sync served an invalid header: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            penalties.penalize(source, "sync served malformed data: " + e.getMessage());
        } catch (Exception e) {
            LOG.log(System.Logger.Level.INFO, "ledger sync from " + source + " interrupted: " + e);
        }
    }

    private void bodiesAndImport(PeerId source, List<BlockHeader> headers) throws Exception {
        List<PeerId> bodyPeers = new ArrayList<>();
        long top = headers.isEmpty() ? 0 : headers.get(headers.size() - 1).height();
        for (Map.Entry<PeerId, SyncMessage.Status> e : statuses.entrySet()) {
            if (!penalties.banned(e.getKey()) && (e.getKey().equals(source) || e.getValue().height() >= top)) {
                bodyPeers.add(e.getKey());
            }
        }
        if (!bodyPeers.contains(source)) {
            bodyPeers.add(source);
        }
        List<List<BlockHeader>> chunks = new ArrayList<>();
        for (int i = 0; i < headers.size(); i += BODY_CHUNK) {
            chunks.add(headers.subList(i, Math.min(headers.size(), i + BODY_CHUNK)));
        }
        int window = Math.max(4, 2 * bodyPeers.size());
        Deque<CompletableFuture<List<Block>>> inFlight = new ArrayDeque<>();
        int next = 0;
        int done = 0;
        while (done < chunks.size()) {
            while (next < chunks.size() && inFlight.size() < window) {
                List<BlockHeader> chunk = chunks.get(next);
                PeerId peer = bodyPeers.get(next % bodyPeers.size());
                inFlight.add(fetchBodies(peer, chunk).exceptionallyCompose(e -> {
                    if (!peer.equals(source)) {
                        if (e instanceof CompletionException && e.getCause() instanceof IllegalArgumentException bad) {
                            penalties.penalize(peer, bad.getMessage());
                        }
                        return fetchBodies(source, chunk);
                    }
                    return CompletableFuture.failedFuture(e);
                }));
                next++;
            }
            List<Block> blocks;
            try {
                blocks = await(inFlight.poll());
            } catch (IllegalArgumentException bad) {
                penalties.penalize(source, bad.getMessage());
                return;
            }
            done++;
            int imported;
            try {
                // One store batch per chunk when it extends the head (the usual case).
                imported = chain.importRun(blocks);
            } catch (InvalidBlockException e) {
                penalties.penalize(source, "sync served a block that failed verification: " + e.getMessage());
                return;
            } catch (StorageException e) {
                LOG.log(System.Logger.Level.ERROR, "ledger sync: the chain store failed", e);
                return;
            }
            blocksImported += imported;
            if (imported < blocks.size()) {
                return;
            }
        }
    }

    private CompletableFuture<List<Block>> fetchBodies(PeerId peer, List<BlockHeader> chunk) {
        List<Hash> hashes = chunk.stream().map(BlockHeader::hash).toList();
        return request(peer, SyncMessage.bodiesRequest(hashes)).thenApply(resp -> {
            List<byte[]> bodies = SyncMessage.decodeList(resp, SyncMessage.MAX_BODIES, "bodies");
            if (bodies.size() != chunk.size()) {
                throw new CompletionException(new IllegalArgumentException("peer " + peer + " answered " + bodies.size()
                        + " bodies for " + chunk.size() + " blocks"));
            }
            List<Block> out = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                if (bodies.get(i).length == 0) {
                    // Not having a block is no offence (the peer may follow another branch): ask the source.
                    throw new CompletionException(new IllegalStateException("peer " + peer + " does not have block #"
                            + chunk.get(i).height()));
                }
                try {
                    List<Transaction> txs = Block.decodeBody(bodies.get(i));
                    Block b = new Block(chunk.get(i), txs);
                    chain.verifyBody(b);
                    out.add(b);
                } catch (IllegalArgumentException | InvalidBlockException e) {
                    throw new CompletionException(new IllegalArgumentException("peer " + peer + " served a bad body for block #"
                            + chunk.get(i).height() + ": " + e.getMessage()));
                }
            }
            return out;
        });
    }
}
