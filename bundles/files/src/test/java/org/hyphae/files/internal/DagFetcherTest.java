package org.hyphae.files.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

import org.hyphae.exchange.ExchangeSession;
import org.hyphae.files.ImportOptions;
import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.storage.memory.MemoryBlockStore;
import org.junit.jupiter.api.Test;

/** The order in which a fetch asks for blocks, and how an export holds it back. */
class DagFetcherTest {

    /** 16 KiB leaves, 4 links a node: 64 leaves make three levels of nodes above them. */
    private static final ImportOptions SMALL = ImportOptions.defaults().withChunkSize(16 * 1024).withMaxLinks(4);

    private final MemoryBlockStore source = new MemoryBlockStore();
    private final MemoryBlockStore target = new MemoryBlockStore();

    /** Serves blocks of {@link #source}, answering the newest request first: the worst order for a walk. */
    private class NewestFirstSession implements ExchangeSession {
        final List<Cid> requested = new ArrayList<>();
        final LinkedBlockingDeque<Runnable> answers = new LinkedBlockingDeque<>();

        @Override
        public synchronized CompletionStage<byte[]> get(Cid cid) {
            requested.add(cid);
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            answers.addFirst(() -> {
                try {
                    byte[] data = source.get(cid).orElseThrow();
                    target.put(cid, data);
                    f.complete(data);
                } catch (IOException e) {
                    f.completeExceptionally(e);
                }
            });
            return f;
        }

        @Override
        public synchronized CompletionStage<org.hyphae.storage.VerifiedBlock> getWithoutStoring(Cid cid) {
            return get(cid).thenApply(data -> org.hyphae.storage.VerifiedBlock.compute(cid.version(), cid.codec(),
                    cid.multihash().code(), data));
        }

        @Override
        public void addPeer(PeerId peer) {
        }

        @Override
        public List<PeerId> activePeers() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    private Cid importRandom(int size) throws IOException {
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        return new UnixFsFileSharing(source, null).add(new ByteArrayInputStream(data), SMALL, null);
    }

    /** Every block of a DAG in the order an export reads it: depth first, links in order. */
    private List<Cid> exportOrder(Cid cid) throws IOException {
        List<Cid> out = new ArrayList<>();
        out.add(cid);
        if (cid.codec() == Multicodec.DAG_PB.code()) {
            for (DagPb.Link link : DagPb.decode(source.get(cid).orElseThrow()).links()) {
                out.addAll(exportOrder(link.hash()));
            }
        }
        return out;
    }

    /** Answers requests newest first, a few at a time, until the fetch ends. */
    private static Thread answering(NewestFirstSession session) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    session.answers.takeFirst().run();
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Fetches {@code root} into {@link #target} (8 requests at a time), reporting to {@code arrivals} as {@code hyphae:get} does. */
    private CompletableFuture<Void> fetchInBackground(ExchangeSession session, FetchedBlocks arrivals, Cid root,
            java.util.concurrent.Executor executor) {
        return CompletableFuture.runAsync(() -> {
            try {
                new DagFetcher(target, session, null, 8, arrivals).fetch(root);
                arrivals.finished();
            } catch (IOException e) {
                arrivals.failed(e);
                throw new java.util.concurrent.CompletionException(e);
            }
        }, executor);
    }

    @Test
    void blocksAreRequestedInTheOrderAnExportReadsThem() throws Exception {
        Cid root = importRandom(64 * 16 * 1024);
        NewestFirstSession session = new NewestFirstSession();
        Thread answers = answering(session);
        // One block at a time: each request is the earliest block of the file known and not fetched.
        // (A breadth-first walk would ask for every node of a level before any leaf.)
        new DagFetcher(target, session, null, 1, DagFetcher.Arrivals.NONE).fetch(root);
        answers.interrupt();
        assertEquals(exportOrder(root), session.requested);
        // With more in flight, answered newest first, every block still comes once.
        NewestFirstSession wide = new NewestFirstSession();
        Thread moreAnswers = answering(wide);
        MemoryBlockStore again = new MemoryBlockStore();
        new DagFetcher(again, wide, null, 8, DagFetcher.Arrivals.NONE).fetch(root);
        moreAnswers.interrupt();
        assertEquals(exportOrder(root).size(), wide.requested.size());
        assertEquals(new java.util.HashSet<>(exportOrder(root)), new java.util.HashSet<>(wide.requested));
    }

    @Test
    void aFullExportBufferHoldsTheFetchBackUntilTheExportTakesBlocks() throws Exception {
        Cid root = importRandom(64 * 16 * 1024);
        NewestFirstSession session = new NewestFirstSession();
        Thread answers = answering(session);
        // Room for 256 KiB kept and requested: 16 leaves of 16 KiB, 8 of them requested, before the
        // fetch waits for the export.
        FetchedBlocks arrivals = new FetchedBlocks(target, 256 * 1024, cid -> { });
        CompletableFuture<Void> fetched = fetchInBackground(session, arrivals, root, java.util.concurrent.ForkJoinPool.commonPool());
        Thread.sleep(500);
        assertTrue(!fetched.isDone(), "held back: nobody exports");
        int held = session.requested.size();
        assertTrue(arrivals.bufferedBytes() <= 256 * 1024, "within the buffer: " + arrivals.bufferedBytes());
        Thread.sleep(300);
        assertEquals(held, session.requested.size(), "no more requests while the buffer is full");
        // The export takes the file block by block; the fetch goes on and ends.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        new UnixFsExporter(arrivals).cat(root, out, null);
        fetched.get(30, TimeUnit.SECONDS);
        answers.interrupt();
        assertEquals(64 * 16 * 1024, out.size());
        assertEquals(0, arrivals.storeReads(), "every block handed over, none read back from the store");
    }

    @Test
    void aBlockHeldUpAtOnePeerDoesNotStopTheFetchWhileTheRestFitsInTheBuffer() throws Exception {
        Cid root = importRandom(64 * 16 * 1024);
        Cid firstLeaf = exportOrder(root).stream().filter(c -> c.codec() == Multicodec.RAW.code()).findFirst().orElseThrow();
        CompletableFuture<byte[]> heldUp = new CompletableFuture<>();
        List<Cid> asked = java.util.Collections.synchronizedList(new ArrayList<>());
        // As from several peers: everything comes at once but the export's first leaf, queued at a slow one.
        ExchangeSession session = new NewestFirstSession() {
            @Override
            public synchronized CompletionStage<byte[]> get(Cid cid) {
                asked.add(cid);
                try {
                    byte[] data = source.get(cid).orElseThrow();
                    target.put(cid, data);
                    if (cid.equals(firstLeaf)) {
                        return heldUp.thenApply(v -> data);
                    }
                    return CompletableFuture.completedFuture(data);
                } catch (IOException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
        };
        FetchedBlocks arrivals = new FetchedBlocks(target, 48 * 16 * 1024, cid -> { });
        // Threads of their own: the common pool may have one thread on a small machine, and the two wait for each other.
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        CompletableFuture<Void> fetched = fetchInBackground(session, arrivals, root, threads);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        CompletableFuture<Void> exported = CompletableFuture.runAsync(() -> {
            try {
                new UnixFsExporter(arrivals).cat(root, out, null);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, threads);
        Thread.sleep(500);
        long leaves = asked.stream().filter(c -> c.codec() == Multicodec.RAW.code()).count();
        // The buffer takes 48 leaves. The fetch asks for two subtrees of 16 (32 leaves): the third's node
        // counts as its link's Tsize, the whole subtree, which no longer fits. (Holding back past a
        // quarter of the buffer stopped it at 19, while the peers had nothing to do.)
        assertTrue(leaves >= 30, leaves + " leaves requested while the export waited for the first");
        assertTrue(arrivals.bufferedBytes() <= 48 * 16 * 1024, "within the buffer: " + arrivals.bufferedBytes());
        heldUp.complete(null);
        fetched.get(30, TimeUnit.SECONDS);
        exported.get(30, TimeUnit.SECONDS);
        threads.shutdown();
        assertEquals(64 * 16 * 1024, out.size());
    }

    @Test
    void anExportWaitingForABlockLetsAHeldBackFetchAskForIt() throws Exception {
        FetchedBlocks arrivals = new FetchedBlocks(target, 100, cid -> { });
        Cid leaf = Cid.v1(Multicodec.RAW.code(), org.hyphae.multiformats.Multihash.sha2_256("x".getBytes()));
        arrivals.arrived(Cid.v1(Multicodec.RAW.code(), org.hyphae.multiformats.Multihash.sha2_256("y".getBytes())),
                new byte[60]);
        assertTrue(arrivals.hasRoom(40), "60 kept and 40 to come fit in 100 bytes");
        assertTrue(!arrivals.hasRoom(41), "60 kept and 41 to come do not");
        arrivals.arrived(Cid.v1(Multicodec.RAW.code(), org.hyphae.multiformats.Multihash.sha2_256("z".getBytes())),
                new byte[40]);
        Thread export = new Thread(() -> {
            try {
                arrivals.get(leaf);
            } catch (InterruptedIOException e) {
                // stopped by the test
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        export.start();
        arrivals.awaitRoom(1); // returns because the export waits for a block the fetch has not got
        assertTrue(!arrivals.hasRoom(1), "no room: the fetch may ask for one block, no more");
        export.interrupt();
        export.join(5_000);
    }
}
