package org.hyphae.files.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.hyphae.exchange.ExchangeSession;
import org.hyphae.files.InvalidDagException;
import org.hyphae.files.ProgressListener;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.VerifiedBlock;
import org.hyphae.transport.streamio.AsyncLoop;

/**
 * Fetches a UnixFS DAG into the block store through an {@link ExchangeSession}, keeping up to
 * {@code window} blocks requested at once. Blocks are requested in the order an export reads them
 * (depth first, links in order): each request is for the earliest block of the file that is known
 * and not requested yet, so blocks arrive about in the order they are written, and a running
 * export can hold the fetch back ({@link Arrivals#hasRoom(long)}) without stopping itself. (Breadth
 * first, as before, the leaves of a subtree whose node came in late waited behind later ones.)
 * Blocks already stored are not fetched again (a fetch stopped midway resumes): a stored raw leaf is only counted, a stored dag-pb node is read to find
 * its children. Every block from a peer is verified against its CID by the exchange before it is
 * stored (by the exchange, or, for raw leaves, by a consumer that {@link Arrivals#storesLeaves()}); this walk only decodes nodes, refuses codecs that are not UnixFS, blocks over the size
 * limit and trees deeper than {@link UnixFsExporter#MAX_DEPTH}, and fetches each CID once.
 */
final class DagFetcher {

    /** Told of each block the fetch has, as soon as it has it (for exporting while fetching). */
    interface Arrivals {

        Arrivals NONE = (cid, data) -> {
        };

        /**
         * {@code cid} is in the store; {@code data} is its verified bytes, or {@code null} for a
         * leaf that was stored already and not read.
         */
        void arrived(Cid cid, byte[] data);

        /**
         * Whether the fetch may request more blocks now: whether about {@code bytes} more can come
         * in (what it requested and has not got yet, and the next request). False holds it back
         * while requested blocks still arrive, and then until {@link #awaitRoom(long)} returns.
         */
        default boolean hasRoom(long bytes) {
            return true;
        }

        /**
         * Waits until the fetch may request one more block of about {@code bytes}: there is room,
         * or the consumer waits for a block that has not arrived. Called only with nothing
         * requested and not arrived.
         */
        default void awaitRoom(long bytes) throws InterruptedIOException {
        }

        /**
         * Whether this consumer stores the raw leaves that come from peers itself
         * ({@link #arrivedUnstored}): the fetch then gets them from the exchange unstored.
         */
        default boolean storesLeaves() {
            return false;
        }

        /**
         * A raw leaf from a peer, verified against its CID and not stored: the consumer must store
         * it (or a reference to it). Called only if {@link #storesLeaves()}.
         */
        default void arrivedUnstored(VerifiedBlock block) throws IOException {
            throw new UnsupportedOperationException("this consumer does not store leaves");
        }
    }

    /**
     * A block to fetch, at {@code path}: the link indexes from the root, which order the tasks as
     * an export reads them. {@code expectedBytes} is what its parent's link says (a raw leaf's
     * Tsize is its size), at most the block size limit: an estimate for the room rule only.
     */
    private record Task(Cid cid, int[] path, long expectedBytes) {

        /** Lexicographic: a node before its children, children in link order. */
        static final Comparator<Task> EXPORT_ORDER = (a, b) -> Arrays.compare(a.path, b.path);

        int depth() {
            return path.length;
        }

        Task child(DagPb.Link link, int index) {
            int[] p = Arrays.copyOf(path, path.length + 1);
            p[path.length] = index;
            long tsize = link.tsize();
            return new Task(link.hash(), p, tsize > 0 && tsize < UnixFsExporter.MAX_BLOCK_SIZE ? tsize
                    : UnixFsExporter.MAX_BLOCK_SIZE);
        }
    }

    /** What a request gave: the bytes, and the block itself if the exchange left it unstored. */
    private record Result(Task task, byte[] data, VerifiedBlock unstored, Throwable error) {
    }

    private final BlockStore store;
    private final ExchangeSession session;
    private final ProgressListener progress;
    private final int window;
    private final Arrivals arrivals;
    private long bytesDone;
    private long bytesTotal = -1;
    private long blocksFetched;

    DagFetcher(BlockStore store, ExchangeSession session, ProgressListener progress, int window, Arrivals arrivals) {
        this.store = store;
        this.session = session;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.window = window;
        this.arrivals = arrivals;
    }

    /** Blocks that came from peers (not from the local store). */
    long blocksFetched() {
        return blocksFetched;
    }

    void fetch(Cid root) throws IOException {
        PriorityQueue<Task> todo = new PriorityQueue<>(Task.EXPORT_ORDER);
        Set<Cid> seen = new HashSet<>();
        BlockingQueue<Result> results = new LinkedBlockingQueue<>();
        todo.add(new Task(root, new int[0], UnixFsExporter.MAX_BLOCK_SIZE));
        seen.add(root);
        int outstanding = 0;
        long requestedBytes = 0;
        while (!todo.isEmpty() || outstanding > 0) {
            while (!todo.isEmpty() && outstanding < window) {
                long next = todo.peek().expectedBytes();
                if (!arrivals.hasRoom(requestedBytes + next)) {
                    if (outstanding > 0) {
                        break; // take what arrives meanwhile
                    }
                    arrivals.awaitRoom(next);
                }
                Task t = todo.poll();
                check(t);
                Optional<byte[]> local = local(t.cid());
                if (local.isPresent()) {
                    visit(t, local.get(), null, todo, seen);
                    continue;
                }
                outstanding++;
                requestedBytes += t.expectedBytes();
                if (t.cid().codec() == Multicodec.RAW.code() && arrivals.storesLeaves()) {
                    session.getWithoutStoring(t.cid()).whenComplete((block, e) -> results.add(
                            new Result(t, block == null ? null : block.data(), block, e)));
                } else {
                    session.get(t.cid()).whenComplete((data, e) -> results.add(new Result(t, data, null, e)));
                }
            }
            if (outstanding == 0) {
                continue;
            }
            Result r;
            try {
                r = results.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("fetch of " + root + " interrupted");
            }
            outstanding--;
            requestedBytes -= r.task().expectedBytes();
            if (r.error() != null) {
                Throwable cause = AsyncLoop.unwrap(r.error());
                if (cause instanceof IOException io) {
                    throw io;
                }
                throw new IOException("fetching block " + r.task().cid() + " of " + root + " failed: " + cause, cause);
            }
            blocksFetched++;
            visit(r.task(), r.data(), r.unstored(), todo, seen);
        }
    }

    private static void check(Task t) throws InvalidDagException {
        long codec = t.cid().codec();
        if (codec != Multicodec.RAW.code() && codec != Multicodec.DAG_PB.code()) {
            throw new InvalidDagException(t.cid(), "codec " + Multicodec.describe(codec) + " is not UnixFS (raw or dag-pb)");
        }
        if (t.depth() > UnixFsExporter.MAX_DEPTH) {
            throw new InvalidDagException(t.cid(), "DAG deeper than " + UnixFsExporter.MAX_DEPTH + " levels");
        }
    }

    /** A stored raw leaf is not read; anything else stored is. */
    private Optional<byte[]> local(Cid cid) throws IOException {
        if (cid.codec() == Multicodec.RAW.code()) {
            OptionalLong size = store.size(cid);
            if (size.isPresent()) {
                return Optional.of(LEAF_PRESENT);
            }
            return Optional.empty();
        }
        return store.get(cid);
    }

    /** Marker for a stored leaf whose bytes were not read; its size comes from the store. */
    private static final byte[] LEAF_PRESENT = new byte[0];

    private void visit(Task t, byte[] data, VerifiedBlock unstored, PriorityQueue<Task> todo, Set<Cid> seen)
            throws IOException {
        Cid cid = t.cid();
        if (cid.codec() == Multicodec.RAW.code()) {
            long size = data == LEAF_PRESENT ? store.size(cid).orElse(0) : data.length;
            if (size > UnixFsExporter.MAX_BLOCK_SIZE) {
                throw new InvalidDagException(cid, "block of " + size + " bytes exceeds " + UnixFsExporter.MAX_BLOCK_SIZE);
            }
            bytesDone += size;
            progress.progress(bytesDone, bytesTotal);
            if (unstored != null) {
                arrivals.arrivedUnstored(unstored);
            } else {
                arrivals.arrived(cid, data == LEAF_PRESENT ? null : data);
            }
            return;
        }
        if (data.length > UnixFsExporter.MAX_BLOCK_SIZE) {
            throw new InvalidDagException(cid, "block of " + data.length + " bytes exceeds " + UnixFsExporter.MAX_BLOCK_SIZE);
        }
        DagPb.Node node;
        UnixFsData.Decoded unixfs;
        try {
            node = DagPb.decode(data);
            if (node.data() == null) {
                throw new IOException("dag-pb node without UnixFS data");
            }
            unixfs = UnixFsData.decode(node.data());
        } catch (IOException e) {
            throw new InvalidDagException(cid, "not a valid UnixFS node: " + e.getMessage(), e);
        }
        if (t.depth() == 0 && (unixfs.type() == UnixFsData.FILE || unixfs.type() == UnixFsData.RAW)) {
            bytesTotal = unixfs.contentSize();
        }
        if (unixfs.data() != null && (unixfs.type() == UnixFsData.FILE || unixfs.type() == UnixFsData.RAW)) {
            bytesDone += unixfs.data().length;
            progress.progress(bytesDone, bytesTotal);
        }
        arrivals.arrived(cid, data);
        List<DagPb.Link> links = node.links();
        for (int i = 0; i < links.size(); i++) {
            if (seen.add(links.get(i).hash())) {
                todo.add(t.child(links.get(i), i));
            }
        }
    }
}
