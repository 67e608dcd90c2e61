package org.hyphae.files.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.memory.MemoryBlockStore;
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
        FetchedBlocks blocks = new FetchedBlocks(store, 1 << 20);
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
        FetchedBlocks blocks = new FetchedBlocks(store, 10);
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
        FetchedBlocks blocks = new FetchedBlocks(store, 1 << 20);
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
        FetchedBlocks blocks = new FetchedBlocks(store, 100);
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
        FetchedBlocks blocks = new FetchedBlocks(store, 1 << 20);
        Cid missing = Cid.v1(Multicodec.RAW.code(), Multihash.sha2_256("never".getBytes()));
        blocks.finished();
        assertTrue(blocks.get(missing).isEmpty(), "not coming, not stored");
    }
}
