package org.hyphae.files.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.VerifiedBlock;
import org.hyphae.storage.fs.BlockFiles;
import org.hyphae.storage.memory.MemoryBlockStore;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/** The hand-over from a running fetch to its export. */
class FetchedBlocksTest {

    private final MemoryBlockStore store = new MemoryBlockStore();

    private Cid stored(byte[] data) throws IOException {
        Cid cid = Cid.v1(Multicodec.RAW.code(), Multihash.sha2_256(data));
        store.put(cid, data);
        return cid;
    }

    @Test
    void theExportWaitsForABlockAndGetsTheFetchedBytesWithoutReadingTheStore() throws Exception {
        FetchedBlocks blocks = new FetchedBlocks(store, 1 << 20, cid -> { });
        byte[] data = "first leaf".getBytes();
        Cid cid = stored(data);
        CompletableFuture<Optional<byte[]>> read = CompletableFuture.supplyAsync(() -> {
            try {
                return blocks.get(cid);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        // In the store but not reported by the fetch yet: the export waits for the fetch's word.
        assertThrows(TimeoutException.class, () -> read.get(200, TimeUnit.MILLISECONDS));
        blocks.arrived(cid, data);
        assertSame(data, read.get(5, TimeUnit.SECONDS).orElseThrow(), "the fetched bytes, handed over");
        assertEquals(0, blocks.bufferedBytes(), "handed over, no longer held");
        assertEquals(0, blocks.storeReads(), "the store was not read");
        // Met a second time in the DAG: read (and verified) from the store.
        assertArrayEquals(data, blocks.get(cid).orElseThrow());
        assertEquals(1, blocks.storeReads());
    }

    @Test
    void pastItsLimitOrForAStoredLeafItReadsTheStore() throws Exception {
        FetchedBlocks blocks = new FetchedBlocks(store, 10, cid -> { });
        byte[] big = "more than ten bytes".getBytes();
        byte[] small = "six b!".getBytes();
        Cid bigCid = stored(big);
        Cid smallCid = stored(small);
        Cid leaf = stored("stored before".getBytes());
        blocks.arrived(bigCid, big);
        blocks.arrived(smallCid, small);
        blocks.arrived(leaf, null);
        assertEquals(small.length, blocks.bufferedBytes(), "only what fits is held");
        assertEquals(big.length, blocks.size(bigCid).orElseThrow());
        assertArrayEquals(big, blocks.get(bigCid).orElseThrow());
        assertArrayEquals("stored before".getBytes(), blocks.get(leaf).orElseThrow());
        assertSame(small, blocks.get(smallCid).orElseThrow());
    }

    @Test
    void aFailedFetchStopsTheWaitingExportWithItsCause() throws Exception {
        FetchedBlocks blocks = new FetchedBlocks(store, 1 << 20, cid -> { });
        Cid missing = Cid.v1(Multicodec.RAW.code(), Multihash.sha2_256("never".getBytes()));
        CompletableFuture<Throwable> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                blocks.get(missing);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        IOException cause = new IOException("no peer sent " + missing);
        Thread.sleep(100);
        blocks.failed(cause);
        assertSame(cause, waiting.get(5, TimeUnit.SECONDS));
    }

    @Test
    void anEndedExportNoLongerHoldsTheFetchBack() throws Exception {
        FetchedBlocks blocks = new FetchedBlocks(store, 100, cid -> { });
        byte[] never = new byte[100];
        blocks.arrived(stored(never), never); // a block the export did not take
        assertTrue(!blocks.hasRoom(1));
        blocks.exportEnded();
        assertTrue(blocks.hasRoom(1));
        blocks.awaitRoom(1); // returns at once
        assertEquals(0, blocks.bufferedBytes(), "nothing kept for an export that is over");
    }

    @Test
    void aFinishedFetchAnswersFromTheStore() throws Exception {
        FetchedBlocks blocks = new FetchedBlocks(store, 1 << 20, cid -> { });
        Cid missing = Cid.v1(Multicodec.RAW.code(), Multihash.sha2_256("never".getBytes()));
        blocks.finished();
        assertTrue(blocks.get(missing).isEmpty(), "not coming, not stored");
    }

    private static VerifiedBlock leaf(int size, long seed) {
        byte[] data = new byte[size];
        new java.util.Random(seed).nextBytes(data);
        return VerifiedBlock.compute(1, Multicodec.RAW.code(), Multicodec.SHA2_256.code(), data);
    }

    @Test
    void leavesAreStoredWhereTheExporterWroteThemOrAsCopiesWhenTheyCannotBeHeld(@TempDir Path dir) throws Exception {
        BlockFiles fs = new BlockFiles(dir.resolve("blocks"));
        List<Cid> announced = java.util.Collections.synchronizedList(new ArrayList<>());
        assertFalse(new FetchedBlocks(fs, 100, announced::add, false).storesLeaves(),
                "without leavesAsReferences the exchange stores the leaves");
        FetchedBlocks blocks = new FetchedBlocks(fs, 100, announced::add, true);
        assertTrue(blocks.storesLeaves());
        VerifiedBlock held = leaf(60, 1);
        VerifiedBlock tooMany = leaf(60, 2);
        blocks.arrivedUnstored(held);
        blocks.arrivedUnstored(tooMany); // 120 bytes would not fit in 100: stored as a copy at once
        assertTrue(Files.exists(fs.pathOf(tooMany.cid())));
        assertFalse(fs.has(held.cid()), "held for the exporter, not stored yet");
        assertEquals(List.of(tooMany.cid()), announced);

        byte[] got = blocks.get(held.cid()).orElseThrow();
        Path out = dir.resolve("out.bin");
        byte[] file = new byte[10 + got.length];
        System.arraycopy(got, 0, file, 10, got.length);
        Files.write(out, file);
        blocks.written(held.cid(), out, 10);
        assertFalse(fs.has(held.cid()), "stored with the next batch, or when the file is complete");
        assertEquals(List.of(tooMany.cid()), announced, "not announced before it is stored");
        blocks.fileEnded(out);
        assertTrue(fs.isKeptAsReference(held.cid()),
                "stored as a reference into the output, not copied");
        assertArrayEquals(held.data(), fs.get(held.cid()).orElseThrow());
        assertEquals(List.of(tooMany.cid(), held.cid()), announced);

        // The export fails before it takes this one: stored as a copy when it ends, not lost.
        VerifiedBlock untaken = leaf(30, 3);
        blocks.arrivedUnstored(untaken);
        VerifiedBlock takenNotWritten = leaf(30, 4);
        blocks.arrivedUnstored(takenNotWritten);
        blocks.get(takenNotWritten.cid());
        blocks.exportEnded();
        assertArrayEquals(untaken.data(), fs.get(untaken.cid()).orElseThrow());
        assertArrayEquals(takenNotWritten.data(), fs.get(takenNotWritten.cid()).orElseThrow());
        VerifiedBlock late = leaf(10, 5);
        blocks.arrivedUnstored(late); // the fetch goes on after the export: stored at once
        assertTrue(fs.has(late.cid()));
        assertEquals(5, announced.size());
    }
}
