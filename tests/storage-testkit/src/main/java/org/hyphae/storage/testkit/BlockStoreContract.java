package org.hyphae.storage.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.BlockMismatchException;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.CorruptDataException;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.VerifiedBlock;
import org.hyphae.storage.StoreStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link BlockStore} contract as tests. Extend it, implement {@link #newStore()}, and, if the
 * store can be damaged from outside, {@link #corrupt(BlockStore, Cid)}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class BlockStoreContract {

    /** The store under test, new and empty for each test. */
    protected BlockStore store;
    private final Random random = new Random(42);

    /**
     * Creates a new, empty store.
     *
     * @return the store
     * @throws Exception if it cannot be created
     */
    protected abstract BlockStore newStore() throws Exception;

    /**
     * Releases a store after a test; by default nothing.
     *
     * @param store the store from {@link #newStore()}
     * @throws Exception if it cannot be closed
     */
    protected void closeStore(BlockStore store) throws Exception {
    }

    /**
     * Damages a stored block behind the store's back (flips a byte of what it keeps), so the test
     * can check that it is reported, not returned. Stores that cannot be damaged return false and
     * the corruption tests are skipped.
     *
     * @param store the store
     * @param cid a stored block
     * @return whether the block was damaged
     * @throws Exception if damaging failed
     */
    protected boolean corrupt(BlockStore store, Cid cid) throws Exception {
        return false;
    }

    /**
     * The size of the block the streaming tests write; 16 MiB unless a store says otherwise.
     *
     * @return bytes
     */
    protected long largeBlockSize() {
        return 16L * 1024 * 1024;
    }

    @BeforeEach
    void createStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void releaseStore() throws Exception {
        if (store != null) {
            closeStore(store);
        }
    }

    private SampleBlock block(int size) {
        return SampleBlock.random(random, size);
    }

    @Test
    void putThenGetReturnsTheBytes() throws Exception {
        SampleBlock b = block(4096);
        store.put(b.cid(), b.data());
        assertTrue(store.has(b.cid()));
        assertEquals(OptionalLong.of(4096), store.size(b.cid()));
        assertArrayEquals(b.data(), store.get(b.cid()).orElseThrow());
    }

    @Test
    void aVerifiedBlockIsStoredAndReadBackLikeAnyOther() throws Exception {
        byte[] data = new byte[5000];
        random.nextBytes(data);
        VerifiedBlock block = VerifiedBlock.compute(1, Multicodec.RAW.code(), Multicodec.SHA2_256.code(), data);
        store.put(block);
        store.put(block); // twice stores once
        assertEquals(OptionalLong.of(5000), store.size(block.cid()));
        assertArrayEquals(data, store.get(block.cid()).orElseThrow());
        assertEquals(1, store.stats().count());
        byte[] empty = {};
        VerifiedBlock v0 = VerifiedBlock.compute(0, Multicodec.DAG_PB.code(), Multicodec.SHA2_256.code(), empty);
        store.put(v0);
        assertEquals(OptionalLong.of(0), store.size(v0.cid()), "an empty block is there, with size 0");
        assertArrayEquals(empty, store.get(v0.cid()).orElseThrow());
    }

    /** A file holding {@code data} at {@code offset}, among other bytes, as a download's output would. */
    private Path fileWith(Path dir, byte[] data, int offset) throws IOException {
        byte[] content = new byte[offset + data.length + 1000];
        random.nextBytes(content);
        System.arraycopy(data, 0, content, offset, data.length);
        Path file = dir.resolve("download-" + random.nextInt(1_000_000) + ".bin");
        Files.write(file, content);
        return file;
    }

    private VerifiedBlock verified(int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return VerifiedBlock.compute(1, Multicodec.RAW.code(), Multicodec.SHA2_256.code(), data);
    }

    @Test
    void aBlockPutAsAReferenceIsReadBackLikeAnyOther(@TempDir Path dir) throws Exception {
        VerifiedBlock block = verified(3000);
        Path file = fileWith(dir, block.data(), 4000);
        store.putReference(block, file, 4000);
        store.putReference(block, file, 4000); // twice stores once
        assertTrue(store.has(block.cid()));
        assertEquals(OptionalLong.of(3000), store.size(block.cid()));
        assertArrayEquals(block.data(), store.get(block.cid()).orElseThrow());
        try (InputStream in = store.open(block.cid()).orElseThrow()) {
            assertArrayEquals(block.data(), in.readAllBytes());
        }
        assertEquals(new StoreStats(1, 3000), store.stats());
        List<Cid> listed = new ArrayList<>();
        try (Cursor<Cid> cids = store.cids()) {
            cids.forEachRemaining(listed::add);
        }
        assertEquals(List.of(block.cid()), listed);

        store.put(block); // a copy as well: still one block
        assertEquals(new StoreStats(1, 3000), store.stats());
        assertArrayEquals(block.data(), store.get(block.cid()).orElseThrow());
        assertTrue(store.delete(block.cid()));
        assertFalse(store.has(block.cid()));
        assertEquals(new StoreStats(0, 0), store.stats());
    }

    @Test
    void aReferencedBlockOutlivesItsFileBeingRenamedOrDeleted(@TempDir Path dir) throws Exception {
        VerifiedBlock renamed = verified(2000);
        Path first = fileWith(dir, renamed.data(), 100);
        store.putReference(renamed, first, 100);
        Files.move(first, dir.resolve("complete.bin")); // as a finished download's partial file
        VerifiedBlock deleted = verified(2500);
        Path second = fileWith(dir, deleted.data(), 0);
        store.putReference(deleted, second, 0);
        Files.delete(second);

        assertArrayEquals(renamed.data(), store.get(renamed.cid()).orElseThrow());
        assertArrayEquals(deleted.data(), store.get(deleted.cid()).orElseThrow());
    }

    @Test
    void aReferencedBlockWhoseFileChangedIsNeverReadWrong(@TempDir Path dir) throws Exception {
        VerifiedBlock block = verified(4096);
        Path file = fileWith(dir, block.data(), 512);
        store.putReference(block, file, 512);
        byte[] content = Files.readAllBytes(file);
        content[512 + 100] ^= 1;
        Files.write(file, content, java.nio.file.StandardOpenOption.WRITE); // in place, as an editor might not
        VerifiedBlock truncated = verified(1000);
        Path short_ = fileWith(dir, truncated.data(), 0);
        store.putReference(truncated, short_, 0);
        try (var channel = java.nio.channels.FileChannel.open(short_, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(500);
        }

        // A store that copied still has the blocks; one that referenced the files has lost them.
        Optional<byte[]> read = store.get(block.cid());
        assertTrue(read.isEmpty() || java.util.Arrays.equals(block.data(), read.get()), "the old bytes, or none");
        assertEquals(read.isPresent(), store.has(block.cid()), "a block found changed is gone, not half there");
        Optional<byte[]> readTruncated = store.get(truncated.cid());
        assertTrue(readTruncated.isEmpty() || java.util.Arrays.equals(truncated.data(), readTruncated.get()));
        assertEquals((read.isPresent() ? 1 : 0) + (readTruncated.isPresent() ? 1 : 0), store.stats().count());
    }

    @Test
    void cidV0AndIdentityAndEmptyBlocksAreStored() throws Exception {
        byte[] data = "a CIDv0 block".getBytes();
        Cid v0 = Cid.v0(Multihash.sha2_256(data));
        store.put(v0, data);
        assertArrayEquals(data, store.get(v0).orElseThrow());

        byte[] small = {1, 2, 3};
        Cid identity = Cid.v1(Multicodec.RAW, Multihash.identity(small));
        store.put(identity, small);
        assertArrayEquals(small, store.get(identity).orElseThrow());

        SampleBlock empty = SampleBlock.of(new byte[0]);
        store.put(empty.cid(), empty.data());
        assertArrayEquals(new byte[0], store.get(empty.cid()).orElseThrow());
        assertEquals(3, store.stats().count());
    }

    @Test
    void aCidV0AndItsV1AreDifferentBlocks() throws Exception {
        byte[] data = "same multihash".getBytes();
        Cid v0 = Cid.v0(Multihash.sha2_256(data));
        store.put(v0, data);
        assertFalse(store.has(v0.toV1()), "CIDs compare by version and codec too");
    }

    @Test
    void missingBlocksAreEmptyNotErrors() throws Exception {
        Cid missing = block(10).cid();
        assertFalse(store.has(missing));
        assertEquals(Optional.empty(), store.get(missing));
        assertEquals(Optional.empty(), store.open(missing));
        assertEquals(OptionalLong.empty(), store.size(missing));
        assertFalse(store.delete(missing));
    }

    @Test
    void putTwiceStoresOnce() throws Exception {
        SampleBlock b = block(1000);
        store.put(b.cid(), b.data());
        store.put(b.cid(), b.data());
        assertEquals(new StoreStats(1, 1000), store.stats());
    }

    @Test
    void deleteRemoves() throws Exception {
        SampleBlock b = block(100);
        store.put(b.cid(), b.data());
        assertTrue(store.delete(b.cid()));
        assertFalse(store.has(b.cid()));
        assertEquals(Optional.empty(), store.get(b.cid()));
        assertEquals(new StoreStats(0, 0), store.stats());
        store.put(b.cid(), b.data());
        assertTrue(store.has(b.cid()), "a deleted block can be stored again");
    }

    @Test
    void bytesThatDoNotHashToTheCidAreRefusedAndNothingIsStored() throws Exception {
        SampleBlock b = block(2048);
        byte[] wrong = b.data().clone();
        wrong[2047] ^= 1;
        BlockMismatchException e = assertThrows(BlockMismatchException.class, () -> store.put(b.cid(), wrong));
        assertEquals(b.cid(), e.cid());
        assertTrue(e.getMessage().contains(b.cid().toString()), e.getMessage());
        assertFalse(store.has(b.cid()));

        e = assertThrows(BlockMismatchException.class, () -> store.put(b.cid(), new ByteArrayInputStream(wrong)));
        assertTrue(e.getMessage().contains(b.cid().toString()), e.getMessage());
        assertFalse(store.has(b.cid()));
        assertEquals(0, store.stats().count());
    }

    @Test
    void aHashFunctionTheStoreCannotCheckIsRefused() throws Exception {
        byte[] data = {1, 2, 3};
        Cid blake = Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.BLAKE2B_256.code(), new byte[32]));
        BlockMismatchException e = assertThrows(BlockMismatchException.class, () -> store.put(blake, data));
        assertTrue(e.getMessage().contains("blake2b-256"), e.getMessage());
        assertFalse(store.has(blake));
    }

    @Test
    void largeBlocksStreamInAndOut() throws Exception {
        long size = largeBlockSize();
        Cid cid = GeneratedStream.cidOf(7, size);
        try (InputStream in = GeneratedStream.of(7, size)) {
            assertEquals(size, store.put(cid, in));
        }
        assertEquals(OptionalLong.of(size), store.size(cid));
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long read = 0;
        try (InputStream in = store.open(cid).orElseThrow()) {
            byte[] buf = new byte[100_000];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                read += n;
            }
        }
        assertEquals(size, read);
        assertArrayEquals(cid.multihash().digest(), md.digest());
    }

    @Test
    void aLargeStreamWithOneWrongByteIsRefusedAndNothingIsStored() throws Exception {
        long size = largeBlockSize();
        Cid cid = GeneratedStream.cidOf(8, size);
        BlockMismatchException e = assertThrows(BlockMismatchException.class,
                () -> store.put(cid, new GeneratedStream(8, size, size - 1, -1)));
        assertTrue(e.getMessage().contains(cid.toString()), e.getMessage());
        assertFalse(store.has(cid));
        assertEquals(0, store.stats().count());
    }

    @Test
    void aStreamThatFailsStoresNothing() throws Exception {
        Cid cid = GeneratedStream.cidOf(9, 1_000_000);
        StorageException e = assertThrows(StorageException.class,
                () -> store.put(cid, new GeneratedStream(9, 1_000_000, -1, 500_000)));
        assertFalse(e instanceof BlockMismatchException, "a read failure is not a hash mismatch: " + e);
        assertTrue(e.getMessage().contains(cid.toString()), e.getMessage());
        assertFalse(store.has(cid));
    }

    @Test
    void aCorruptBlockIsReportedNotReturned() throws Exception {
        SampleBlock b = block(5000);
        store.put(b.cid(), b.data());
        Assumptions.assumeTrue(corrupt(store, b.cid()), "this store cannot be damaged from outside");
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> store.get(b.cid()));
        assertEquals(Optional.of(b.cid()), e.cid());
        assertTrue(e.getMessage().contains(b.cid().toString()), e.getMessage());
        assertTrue(e.resource().isPresent(), "names the file or connection: " + e.getMessage());

        try (InputStream in = store.open(b.cid()).orElseThrow()) {
            IOException streamed = assertThrows(IOException.class, () -> in.readAllBytes());
            assertInstanceOf(CorruptDataException.class, streamed);
        }
    }

    @Test
    void cidsVisitsEveryBlockOnce() throws Exception {
        Set<Cid> expected = new HashSet<>();
        long bytes = 0;
        for (int i = 0; i < 200; i++) {
            SampleBlock b = block(random.nextInt(3000));
            store.put(b.cid(), b.data());
            expected.add(b.cid());
            bytes += b.data().length;
        }
        List<Cid> seen = new ArrayList<>();
        try (Cursor<Cid> cids = store.cids()) {
            cids.forEachRemaining(seen::add);
        }
        assertEquals(expected.size(), seen.size(), "no duplicates");
        assertEquals(expected, new HashSet<>(seen));
        assertEquals(new StoreStats(expected.size(), bytes), store.stats());
    }

    @Test
    void concurrentWritersOfOverlappingBlocks() throws Exception {
        List<SampleBlock> blocks = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            blocks.add(block(1000 + random.nextInt(20_000)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int offset = t * 10;
                done.add(pool.submit(() -> {
                    // every writer covers all blocks, starting at a different place
                    for (int i = 0; i < blocks.size(); i++) {
                        SampleBlock b = blocks.get((i + offset) % blocks.size());
                        store.put(b.cid(), b.data());
                        assertArrayEquals(b.data(), store.get(b.cid()).orElseThrow());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long bytes = blocks.stream().mapToLong(b -> b.data().length).sum();
        assertEquals(new StoreStats(blocks.size(), bytes), store.stats());
        for (SampleBlock b : blocks) {
            assertArrayEquals(b.data(), store.get(b.cid()).orElseThrow());
        }
    }

    @Test
    void aCursorReportsFailuresUnchecked() throws Exception {
        // The contract only promises the exception type; an empty store must simply end.
        try (Cursor<Cid> cids = store.cids()) {
            assertFalse(cids.hasNext());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
