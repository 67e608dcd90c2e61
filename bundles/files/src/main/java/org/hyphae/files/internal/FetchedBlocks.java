package org.hyphae.files.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.VerifiedBlock;

/**
 * Hands the blocks of a running fetch to an exporter, so a file is written while it arrives rather
 * than read back from the store once the whole DAG is in. The fetcher reports each block it has
 * (verified against its CID by the exchange, or found in the store); the exporter waits for the
 * ones it needs next. Bytes that came over the network are kept for the exporter up to a limit.
 * The fetch requests more only while what is kept and what it has requested fit in the limit (an
 * exporter slower than the network holds it back until the exporter has taken some); once nothing
 * it requested is still on its way, it asks for one block at a time while the exporter waits for a
 * block it does not have. Blocks beyond the limit, and blocks met a second time, the exporter reads
 * from the store, which verifies them again.
 *
 * <p><b>Leaves stored where they are written</b> (with {@code leavesAsReferences}). Raw leaves
 * come from the exchange unstored ({@link #storesLeaves()}). One handed to the exporter is stored
 * once the exporter has written it, as a reference to that range of the output file, with the
 * leaves written just before it: up to {@value #REFERENCE_BATCH_BYTES} bytes at once
 * ({@link BlockStore#putReferences}), and the rest when the file is complete. So its bytes are
 * written once, not as a block file and then into the output, and a disk syncs once per batch. A
 * leaf beyond the limit is stored as an ordinary block when it arrives, and every leaf still held
 * when the export ends (done or failed) is stored as one then ({@link #exportEnded()}): none is
 * dropped. A leaf the exporter read from the store that is kept
 * as a reference into another file (a partial file of an earlier get, since removed) is moved to
 * where it is written now ({@link BlockStore#moveReference}).
 *
 * <p>(The rule was "past a quarter of the limit kept": from several peers, blocks arrive out of
 * order, a quarter was often kept ahead of a block still queued at one peer, and the fetch stopped
 * asking until it came, which left the peers idle: 1.47 of 2 cores busy with 4 seeders.)
 */
final class FetchedBlocks implements BlockSource, DagFetcher.Arrivals {

    private static final System.Logger LOG = System.getLogger(FetchedBlocks.class.getName());
    /** Written leaves stored as references together: up to this many bytes, or blocks. */
    static final long REFERENCE_BATCH_BYTES = 8L << 20;
    static final int REFERENCE_BATCH_BLOCKS = 64;
    /** An export that waits this long for one block says so. */
    private static final long SLOW_WAIT_MILLIS = 1_000;

    private final BlockStore store;
    private final long maxBufferedBytes;
    private final Map<Cid, byte[]> buffered = new HashMap<>();
    /** Blocks the fetch has: stored, or held here (then in {@link #unstored}). */
    private final Set<Cid> stored = new HashSet<>();
    /** Leaves from peers that are not stored yet: buffered, or taken by the exporter and not written yet. */
    private final Map<Cid, VerifiedBlock> unstored = new HashMap<>();
    /** Raw leaves the exporter read from the store and has not written yet. */
    private final Set<Cid> readFromStore = new HashSet<>();
    private final Consumer<Cid> announce;
    private final boolean leavesAsReferences;
    /** Leaves written and not stored yet ({@link #storePending}), all in {@link #pendingFile}. */
    private final List<BlockStore.BlockAt> pending = new ArrayList<>();
    private Path pendingFile;
    private long pendingBytes;
    private long bufferedBytes;
    private long storeReads;
    /** The block the exporter waits for, if it waits. */
    private Cid exporterWaitsFor;
    private boolean finished;
    /** The export is over: nothing holds the fetch back any more. */
    private boolean exportEnded;
    private IOException failure;

    /**
     * @param announce told of each leaf once this stores it (the exchange's announce, for peers that
     *     asked for it meanwhile)
     */
    FetchedBlocks(BlockStore store, long maxBufferedBytes, Consumer<Cid> announce) {
        this(store, maxBufferedBytes, announce, true); // the tests' default: the path with more to check
    }

    /**
     * @param leavesAsReferences whether raw leaves come unstored and are stored where the exporter
     *     writes them (else the exchange stores each as it arrives)
     */
    FetchedBlocks(BlockStore store, long maxBufferedBytes, Consumer<Cid> announce, boolean leavesAsReferences) {
        this.leavesAsReferences = leavesAsReferences;
        this.store = store;
        this.maxBufferedBytes = maxBufferedBytes;
        this.announce = announce;
    }

    @Override
    public boolean storesLeaves() {
        return leavesAsReferences;
    }

    /** Held for the exporter if there is room, else stored now, before anyone is told it is here. */
    @Override
    public void arrivedUnstored(VerifiedBlock block) throws IOException {
        Cid cid = block.cid();
        synchronized (this) {
            if (!exportEnded && !buffered.containsKey(cid) && !stored.contains(cid)
                    && bufferedBytes + block.data().length <= maxBufferedBytes) {
                buffered.put(cid, block.data());
                unstored.put(cid, block);
                bufferedBytes += block.data().length;
                stored.add(cid);
                notifyAll();
                return;
            }
        }
        store.put(block);
        announce.accept(cid);
        arrived(cid, null);
    }

    @Override
    public void written(Cid cid, Path file, long offset) throws IOException {
        VerifiedBlock block;
        synchronized (this) {
            if (readFromStore.remove(cid)) {
                block = null;
            } else {
                block = unstored.get(cid);
                if (block == null || buffered.containsKey(cid)) {
                    return; // stored already, or not the bytes the exporter took from here
                }
            }
        }
        if (block == null) {
            // Stored before this get, perhaps as a reference into a partial file since removed: the
            // reference moves here, and that file's space is freed with its last one.
            store.moveReference(cid, file, offset);
            return;
        }
        if (pendingFile != null && !pendingFile.equals(file)) {
            storePending();
        }
        pendingFile = file;
        pending.add(new BlockStore.BlockAt(block, offset));
        pendingBytes += block.data().length;
        if (pendingBytes >= REFERENCE_BATCH_BYTES || pending.size() >= REFERENCE_BATCH_BLOCKS) {
            storePending();
        }
    }

    @Override
    public void fileEnded(Path file) throws IOException {
        storePending();
    }

    /**
     * Stores the leaves written since the last batch as references, together (one sync of the file
     * and one append to the store's records on a disk, where a sync per leaf held a get to
     * 78 MB/s), and tells the exchange. Called by the exporter's thread only.
     */
    private void storePending() throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        List<BlockStore.BlockAt> batch = new ArrayList<>(pending);
        Path file = pendingFile;
        pending.clear();
        pendingBytes = 0;
        pendingFile = null;
        store.putReferences(file, batch);
        synchronized (this) {
            batch.forEach(b -> unstored.remove(b.block().cid()));
        }
        batch.forEach(b -> announce.accept(b.block().cid()));
    }

    @Override
    public synchronized void arrived(Cid cid, byte[] data) {
        stored.add(cid);
        if (data != null && !exportEnded && !buffered.containsKey(cid)
                && bufferedBytes + data.length <= maxBufferedBytes) {
            buffered.put(cid, data);
            bufferedBytes += data.length;
        }
        notifyAll();
    }

    @Override
    public synchronized boolean hasRoom(long bytes) {
        return bufferedBytes + bytes <= maxBufferedBytes || finished || exportEnded || failure != null;
    }

    /**
     * Waits for room, or for the exporter to wait for a block that has not arrived: with nothing
     * requested, that block must be requested, or both would wait for ever.
     */
    @Override
    public synchronized void awaitRoom(long bytes) throws InterruptedIOException {
        // Not merely "the exporter is in wait()": once its block is here it is only waking up.
        while (!hasRoom(bytes) && (exporterWaitsFor == null || stored.contains(exporterWaitsFor))) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the export caught up");
            }
        }
    }

    /**
     * The export is over (done or failed): the fetch may go on unheld, nothing more is buffered, and
     * the leaves still held are stored as ordinary blocks.
     *
     * @throws IOException if one of them cannot be stored (the others are)
     */
    void exportEnded() throws IOException {
        try {
            storePending();
        } catch (IOException e) {
            // Its file is gone (a failed export removes it before any link to it was made), say:
            // these leaves are stored as copies below with the others.
            LOG.log(System.Logger.Level.DEBUG, "get: the last leaves written are stored as copies: " + e);
        }
        List<VerifiedBlock> left;
        synchronized (this) {
            exportEnded = true;
            buffered.clear();
            bufferedBytes = 0;
            left = new ArrayList<>(unstored.values());
            unstored.clear();
            notifyAll();
        }
        IOException firstFailure = null;
        for (VerifiedBlock block : left) {
            try {
                store.put(block);
                announce.accept(block.cid());
            } catch (IOException e) {
                if (firstFailure == null) {
                    firstFailure = e;
                } else {
                    firstFailure.addSuppressed(e);
                }
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
    }

    /** The fetch has every block: what is not reported by now is not coming. */
    synchronized void finished() {
        finished = true;
        notifyAll();
    }

    /** The fetch failed: the exporter stops with this cause. */
    synchronized void failed(IOException cause) {
        failure = cause;
        notifyAll();
    }

    /** Bytes held for the exporter now (for tests). */
    synchronized long bufferedBytes() {
        return bufferedBytes;
    }

    /** Blocks the exporter had to read back from the store (for tests: 0 when all were handed over). */
    synchronized long storeReads() {
        return storeReads;
    }

    @Override
    public OptionalLong size(Cid cid) throws IOException {
        synchronized (this) {
            awaitLocked(cid);
            byte[] data = buffered.get(cid);
            if (data != null) {
                return OptionalLong.of(data.length);
            }
        }
        return store.size(cid);
    }

    @Override
    public Optional<byte[]> get(Cid cid) throws IOException {
        synchronized (this) {
            awaitLocked(cid);
            byte[] data = buffered.remove(cid);
            if (data != null) {
                bufferedBytes -= data.length;
                notifyAll(); // room for the fetch
                return Optional.of(data);
            }
            storeReads++;
            if (leavesAsReferences && cid.codec() == Multicodec.RAW.code()) {
                readFromStore.add(cid);
            }
        }
        return store.get(cid);
    }

    @Override
    public boolean has(Cid cid) throws IOException {
        synchronized (this) {
            if (stored.contains(cid)) {
                return true;
            }
        }
        return store.has(cid);
    }

    /** Waits until the fetcher has {@code cid}, has finished, or has failed. */
    private void awaitLocked(Cid cid) throws IOException {
        long started = System.nanoTime();
        boolean waited = false;
        while (!stored.contains(cid) && !finished) {
            waited = true;
            if (failure != null) {
                throw failure;
            }
            exporterWaitsFor = cid;
            notifyAll(); // a fetch held back must fetch this one
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for block " + cid);
            } finally {
                exporterWaitsFor = null;
            }
        }
        if (failure != null && !stored.contains(cid)) {
            throw failure;
        }
        long waitedMillis = waited ? (System.nanoTime() - started) / 1_000_000 : 0;
        if (waitedMillis >= SLOW_WAIT_MILLIS) {
            // A stalled peer, or a fetch held back too long: worth a line when a get is slow.
            LOG.log(System.Logger.Level.INFO, "get: the export waited " + waitedMillis + " ms for block " + cid + " ("
                    + bufferedBytes + " bytes held for it meanwhile)");
        }
    }
}
