package org.hyphae.storage.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import org.hyphae.storage.CorruptDataException;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;
import org.hyphae.storage.testkit.SampleBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the file-system stores promise beyond the contract: reopening, damaged and foreign files. */
class FsReliabilityTest {

    @TempDir
    Path dir;
    private final Random random = new Random(3);

    @Test
    void blocksSurviveReopenAndLeftoverTempFilesAreRemoved() throws Exception {
        Path root = dir.resolve("blocks");
        BlockFiles store = new BlockFiles(root);
        SampleBlock b = SampleBlock.random(random, 300_000);
        store.put(b.cid(), b.data());
        Path leftover = root.resolve(".tmp").resolve("crashed-writer.tmp");
        Files.write(leftover, new byte[1000]);

        BlockFiles reopened = new BlockFiles(root);
        assertArrayEquals(b.data(), reopened.get(b.cid()).orElseThrow());
        assertEquals(new StoreStats(1, 300_000), reopened.stats(), "counted on open");
        assertTrue(Files.notExists(leftover), "an unacknowledged temp file is removed on open");
    }

    @Test
    void aTruncatedBlockFileIsReportedWithItsPathAndLeftAlone() throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        SampleBlock b = SampleBlock.random(random, 10_000);
        store.put(b.cid(), b.data());
        Path file = store.pathOf(b.cid());
        Files.write(file, Arrays.copyOf(b.data(), 5_000));

        CorruptDataException e = assertThrows(CorruptDataException.class, () -> store.get(b.cid()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(b.cid().toString()), e.getMessage());
        store.put(b.cid(), b.data());
        assertEquals(5_000, Files.size(file), "a damaged block file is never silently rewritten");
    }

    @Test
    void aBlockFileIsCheckedOnReadAgainstTheChecksumStoredWithIt() throws Exception {
        Stored s = stored(50_000);
        assertEquals(OptionalInt.of(BlockFiles.crc32c(s.block.data())), checksum(s.file), "written with the block");

        flipFirstByte(s.file);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> s.store.get(s.block.cid()));
        assertTrue(e.getMessage().contains("CRC32C") && e.getMessage().contains(s.file.toString()), e.getMessage());
    }

    @Test
    void aMatchingChecksumIsTrustedWithoutHashingTheBytes() throws Exception {
        // What makes a read cheap, and its limit: a file rewritten together with its checksum passes
        // here (the peer it is sent to checks the CID).
        Stored s = stored(1_000);
        byte[] other = SampleBlock.random(random, 1_000).data();
        Files.write(s.file, other);
        setChecksum(s.file, BlockFiles.crc32c(other));
        assertArrayEquals(other, s.store.get(s.block.cid()).orElseThrow());
    }

    @Test
    void aBlockFileWithoutAChecksumIsCheckedAgainstItsCid() throws Exception {
        Stored s = stored(20_000);
        view(s.file).delete(BlockFiles.CHECKSUM_ATTRIBUTE); // as a copy that dropped it, or an older store
        assertArrayEquals(s.block.data(), s.store.get(s.block.cid()).orElseThrow());

        flipFirstByte(s.file);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> s.store.get(s.block.cid()));
        assertTrue(e.getMessage().contains("do not hash to the CID") && !e.getMessage().contains("CRC32C"), e.getMessage());
    }

    @Test
    void aDamagedChecksumAloneLosesNoBlock() throws Exception {
        Stored s = stored(20_000);
        setChecksum(s.file, BlockFiles.crc32c(s.block.data()) ^ 0x10);
        assertArrayEquals(s.block.data(), s.store.get(s.block.cid()).orElseThrow(), "the bytes still hash to the CID");
        view(s.file).write(BlockFiles.CHECKSUM_ATTRIBUTE, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertArrayEquals(s.block.data(), s.store.get(s.block.cid()).orElseThrow(), "a malformed checksum is ignored");
    }

    @Test
    void aStreamedPutStoresTheChecksumToo() throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        SampleBlock b = SampleBlock.random(random, 700_000);
        store.put(b.cid(), new ByteArrayInputStream(b.data()));
        assertEquals(OptionalInt.of(BlockFiles.crc32c(b.data())), checksum(store.pathOf(b.cid())));
        assertArrayEquals(b.data(), store.get(b.cid()).orElseThrow());
    }

    private record Stored(BlockFiles store, SampleBlock block, Path file) {
    }

    /** A random block of {@code size} bytes put into a new store. */
    private Stored stored(int size) throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        SampleBlock b = SampleBlock.random(random, size);
        store.put(b.cid(), b.data());
        return new Stored(store, b, store.pathOf(b.cid()));
    }

    private static UserDefinedFileAttributeView view(Path file) {
        return Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
    }

    private static OptionalInt checksum(Path file) throws IOException {
        ByteBuffer value = ByteBuffer.allocate(8);
        return view(file).read(BlockFiles.CHECKSUM_ATTRIBUTE, value) == 4 ? OptionalInt.of(value.getInt(0)) : OptionalInt.empty();
    }

    private static void setChecksum(Path file, int crc) throws IOException {
        view(file).write(BlockFiles.CHECKSUM_ATTRIBUTE, ByteBuffer.allocate(4).putInt(0, crc));
    }

    private static void flipFirstByte(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] ^= 1;
        Files.write(file, bytes); // in place: the same inode, so the attribute stays
    }

    @Test
    void aForeignFileInTheBlockDirectoryIsReportedWithItsPath() throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        SampleBlock b = SampleBlock.random(random, 100);
        store.put(b.cid(), b.data());
        Path foreign = store.pathOf(b.cid()).resolveSibling("notes.txt");
        Files.writeString(foreign, "not a block");

        try (Cursor<?> cids = store.cids()) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> cids.forEachRemaining(c -> { }));
            assertTrue(e.getCause() instanceof CorruptDataException, e.toString());
            assertTrue(e.getCause().getMessage().contains(foreign.toString()), e.getCause().getMessage());
        }
        StorageException e = assertThrows(StorageException.class, () -> new BlockFiles(dir.resolve("blocks")));
        assertTrue(e.getMessage().contains(foreign.toString()), "opening names the file too: " + e.getMessage());
    }

    @Test
    void datastoreSurvivesReopen() throws Exception {
        Path file = dir.resolve("datastore.mv");
        MvStoreDatastore store = new MvStoreDatastore(file);
        store.put(new byte[] {1}, new byte[] {2});
        try (var batch = store.batch()) {
            batch.put(new byte[] {3}, new byte[] {4}).put(new byte[] {5}, new byte[] {6});
            batch.commit();
        }
        // No close: the process "dies" here; another handle on the same file must see it all.
        store.close();
        MvStoreDatastore reopened = new MvStoreDatastore(file);
        try {
            assertArrayEquals(new byte[] {2}, reopened.get(new byte[] {1}).orElseThrow());
            assertArrayEquals(new byte[] {6}, reopened.get(new byte[] {5}).orElseThrow());
            assertEquals(new StoreStats(3, 6), reopened.stats());
        } finally {
            reopened.close();
        }
    }

    @Test
    void aDamagedOrForeignDatastoreFileIsReportedWithItsPathAndLeftAlone() throws Exception {
        Path file = dir.resolve("datastore.mv");
        byte[] garbage = new byte[64 * 1024];
        random.nextBytes(garbage);
        Files.write(file, garbage);
        StorageException e = assertThrows(StorageException.class, () -> new MvStoreDatastore(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertArrayEquals(garbage, Files.readAllBytes(file), "never rewritten");

        Path text = dir.resolve("notes.mv");
        Files.writeString(text, "H:2,block:1,this is not what it seems\n");
        e = assertThrows(StorageException.class, () -> new MvStoreDatastore(text));
        assertTrue(e.getMessage().contains(text.toString()), e.getMessage());
    }

    @Test
    void aSecondProcessCannotOpenADatastoreInUse() throws Exception {
        Path file = dir.resolve("datastore.mv");
        MvStoreDatastore store = new MvStoreDatastore(file);
        try {
            StorageException e = assertThrows(StorageException.class, () -> new MvStoreDatastore(file));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        } finally {
            store.close();
        }
    }

    static List<String> listAll(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(p -> out.add(root.relativize(p).toString()));
        }
        return out;
    }
}
