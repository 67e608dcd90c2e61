package org.hyphae.storage.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.hyphae.multiformats.Multicodec;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.StoreStats;
import org.hyphae.storage.VerifiedBlock;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the fs store keeps blocks as references into files the node wrote, beyond the contract. */
class FileReferencesTest {

    @TempDir
    Path dir;
    private final Random random = new Random(11);

    private VerifiedBlock block(int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return VerifiedBlock.compute(1, Multicodec.RAW.code(), Multicodec.SHA2_256.code(), data);
    }

    /** A "download" of the blocks one after the other, and the offset of each. */
    private Path download(String name, VerifiedBlock... blocks) throws IOException {
        Path file = dir.resolve(name);
        try (var out = Files.newOutputStream(file)) {
            for (VerifiedBlock b : blocks) {
                out.write(b.data());
            }
        }
        return file;
    }

    private static long links(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:nlink")).longValue();
    }

    @Test
    void aReferenceIsNotACopyButALinkToTheFile() throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        VerifiedBlock a = block(300_000);
        VerifiedBlock b = block(200_000);
        Path file = download("out.bin", a, b);
        store.putReference(a, file, 0);
        store.putReference(b, file, a.data().length);

        assertFalse(Files.exists(store.pathOf(a.cid())), "no block file");
        assertTrue(store.isKeptAsReference(a.cid()), "a reference instead");
        assertTrue(Files.size(dir.resolve("blocks").resolve(ReferenceLog.NAME)) < 300, "two small records");
        assertEquals(2, links(file), "one link of the store's for both blocks");
        assertArrayEquals(b.data(), store.get(b.cid()).orElseThrow());
        assertEquals(new StoreStats(2, 500_000), store.stats());

        assertTrue(store.delete(a.cid()));
        assertEquals(2, links(file), "still linked for the other block");
        assertTrue(store.delete(b.cid()));
        assertEquals(1, links(file), "the last reference gone, the store's link goes too");
    }

    @Test
    void aChangedRangeIsDroppedWithAWarningAndTheLinkWithIt() throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        VerifiedBlock a = block(10_000);
        Path file = download("out.bin", a);
        store.putReference(a, file, 0);
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) ~a.data()[5]}), 5);
        }

        assertEquals(Optional.empty(), store.get(a.cid()));
        assertFalse(store.has(a.cid()), "the reference is dropped");
        assertFalse(store.isKeptAsReference(a.cid()));
        assertEquals(new StoreStats(0, 0), store.stats());
        assertEquals(1, links(file), "and the store's link to the file");
        store.put(a); // fetched again: stored as a copy now
        assertArrayEquals(a.data(), store.get(a.cid()).orElseThrow());
    }

    @Test
    void aFileCutShortDropsTheReferencesPastItsEndWhenTheirSizeIsAsked() throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        VerifiedBlock a = block(4_000);
        VerifiedBlock b = block(4_000);
        Path file = download("out.bin", a, b);
        store.putReference(a, file, 0);
        store.putReference(b, file, 4_000);
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(6_000);
        }
        assertEquals(java.util.OptionalLong.of(4_000), store.size(a.cid()));
        assertEquals(java.util.OptionalLong.empty(), store.size(b.cid()), "past the end: absent, to be fetched again");
        assertFalse(store.has(b.cid()));
        assertEquals(new StoreStats(1, 4_000), store.stats());
    }

    @Test
    void aTornLastRecordIsCutOffOnOpenAndTheReferencesBeforeItAreKept() throws Exception {
        // A crash during an append leaves part of a record, never acknowledged, at the end.
        Path root = dir.resolve("blocks");
        BlockFiles store = new BlockFiles(root);
        VerifiedBlock a = block(5_000);
        VerifiedBlock b = block(6_000);
        Path file = download("out.bin", a, b);
        store.putReference(a, file, 0);
        Path log = root.resolve(ReferenceLog.NAME);
        long acknowledged = Files.size(log);
        store.putReference(b, file, 5_000);
        try (var channel = java.nio.channels.FileChannel.open(log, StandardOpenOption.WRITE)) {
            channel.truncate(acknowledged + 20);
        }

        BlockFiles reopened = new BlockFiles(root);
        assertArrayEquals(a.data(), reopened.get(a.cid()).orElseThrow());
        assertFalse(reopened.has(b.cid()), "the torn record's block is absent, not wrong");
        assertEquals(acknowledged, Files.size(log), "the log is cut at the last whole record");
        assertEquals(new StoreStats(1, 5_000), reopened.stats());
        reopened.putReference(b, file, 5_000); // appends after the cut
        assertArrayEquals(b.data(), new BlockFiles(root).get(b.cid()).orElseThrow());
    }

    @Test
    void aDamagedRecordEndsTheLogThereAndNoBlockReadsWrong() throws Exception {
        Path root = dir.resolve("blocks");
        BlockFiles store = new BlockFiles(root);
        VerifiedBlock a = block(5_000);
        VerifiedBlock b = block(6_000);
        Path file = download("out.bin", a, b);
        store.putReference(a, file, 0);
        Path log = root.resolve(ReferenceLog.NAME);
        long first = Files.size(log);
        store.putReference(b, file, 5_000);
        byte[] bytes = Files.readAllBytes(log);
        bytes[(int) first + 10] ^= 1; // inside b's record: its CRC32C fails
        Files.write(log, bytes);

        BlockFiles reopened = new BlockFiles(root);
        assertArrayEquals(a.data(), reopened.get(a.cid()).orElseThrow());
        assertFalse(reopened.has(b.cid()));
        assertEquals(first, Files.size(log));
    }

    @Test
    void referenceFilesOfTheEarlierLayoutAreMovedIntoTheLogOnOpen() throws Exception {
        Path root = dir.resolve("blocks");
        BlockFiles store = new BlockFiles(root);
        VerifiedBlock a = block(5_000);
        VerifiedBlock b = block(3_000);
        Path file = download("out.bin", a, b);
        store.putReference(a, file, 0);
        String linkId;
        try (var l = Files.list(root.resolve(FileReferences.LINKS))) {
            linkId = l.findFirst().orElseThrow().getFileName().toString();
        }
        Files.delete(root.resolve(ReferenceLog.NAME)); // as before the log: one file per reference
        Path refA = store.pathOf(a.cid()).resolveSibling(store.pathOf(a.cid()).getFileName() + FileReferences.SUFFIX);
        Files.write(refA, new FileReferences.Ref(linkId, 0, 5_000, BlockFiles.crc32c(a.data())).encode());
        Path refB = store.pathOf(b.cid()).resolveSibling(store.pathOf(b.cid()).getFileName() + FileReferences.SUFFIX);
        Files.write(refB, new byte[] {'H', 'Y', 'R', 'E', 'F', '1', 0, 40, 1, 2}); // malformed

        BlockFiles reopened = new BlockFiles(root);
        assertArrayEquals(a.data(), reopened.get(a.cid()).orElseThrow());
        assertFalse(Files.exists(refA), "moved into the log");
        assertTrue(Files.exists(refB), "a malformed one is left for an operator to look at");
        assertFalse(reopened.has(b.cid()));
        assertArrayEquals(a.data(), new BlockFiles(root).get(a.cid()).orElseThrow(), "and kept in the log");
    }

    @Test
    void aBatchOfReferencesIsStoredListedAndDeletedWithItsLink() throws Exception {
        Path root = dir.resolve("blocks");
        BlockFiles store = new BlockFiles(root);
        List<BlockStore.BlockAt> batch = new ArrayList<>();
        List<VerifiedBlock> blocks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            blocks.add(block(100));
        }
        Path file = download("out.bin", blocks.toArray(VerifiedBlock[]::new));
        for (int i = 0; i < blocks.size(); i++) {
            batch.add(new BlockStore.BlockAt(blocks.get(i), 100L * i));
        }
        store.putReferences(file, batch);
        assertEquals(new StoreStats(50, 5_000), store.stats());
        assertEquals(2, links(file));
        for (VerifiedBlock b : blocks) {
            assertArrayEquals(b.data(), store.get(b.cid()).orElseThrow());
        }
        List<org.hyphae.multiformats.Cid> listed = new ArrayList<>();
        try (var c = store.cids()) {
            c.forEachRemaining(listed::add);
        }
        assertEquals(50, listed.size());
        store.putReferences(file, batch); // the same again: nothing written
        assertEquals(new StoreStats(50, 5_000), store.stats());
        for (VerifiedBlock b : blocks) {
            assertTrue(store.delete(b.cid()));
        }
        assertEquals(1, links(file));
        assertEquals(new StoreStats(0, 0), new BlockFiles(root).stats());
    }

    @Test
    void referencesSurviveReopenAndWhatACrashLeftIsCleanedUp() throws Exception {
        Path root = dir.resolve("blocks");
        BlockFiles store = new BlockFiles(root);
        VerifiedBlock a = block(50_000);
        VerifiedBlock b = block(60_000);
        Path file = download("out.bin", a, b);
        store.putReference(a, file, 0);
        store.putReference(b, file, a.data().length);
        // A link no reference names, as a crash between linking and the first reference leaves.
        Path orphan = root.resolve(FileReferences.LINKS).resolve("orphan");
        Files.createLink(orphan, download("other.bin", block(1000)));
        // A copy stored beside a reference, as a crash between storing it and dropping the reference leaves.
        new BlockFiles(dir.resolve("elsewhere")).put(b); // made the ordinary way, then moved in
        Files.copy(new BlockFiles(dir.resolve("elsewhere")).pathOf(b.cid()), store.pathOf(b.cid()));

        BlockFiles reopened = new BlockFiles(root);
        assertEquals(new StoreStats(2, 110_000), reopened.stats());
        assertArrayEquals(a.data(), reopened.get(a.cid()).orElseThrow());
        assertArrayEquals(b.data(), reopened.get(b.cid()).orElseThrow());
        assertFalse(Files.exists(orphan), "an unreferenced link is removed on open");
        assertFalse(reopened.isKeptAsReference(b.cid()), "the copy wins over the reference");
    }

    @Test
    void aReferenceFoundOnOpenIsReadAndDeletedLikeOneMadeSince() throws Exception {
        // A store skips looking for references until it has one: one found on open must count.
        Path root = dir.resolve("blocks");
        VerifiedBlock a = block(7_000);
        Path file = download("out.bin", a);
        new BlockFiles(root).putReference(a, file, 0);

        BlockFiles reopened = new BlockFiles(root);
        assertArrayEquals(a.data(), reopened.get(a.cid()).orElseThrow());
        assertEquals(java.util.OptionalLong.of(7_000), reopened.size(a.cid()));
        assertTrue(reopened.delete(a.cid()));
        assertFalse(reopened.has(a.cid()));
        assertFalse(reopened.isKeptAsReference(a.cid()));
        assertEquals(new StoreStats(0, 0), reopened.stats());
        assertEquals(1, links(file), "the store's link went with the reference");
    }

    @Test
    void aReferenceWhoseLinkIsGoneIsDroppedOnOpen() throws Exception {
        Path root = dir.resolve("blocks");
        BlockFiles store = new BlockFiles(root);
        VerifiedBlock a = block(1_000);
        store.putReference(a, download("out.bin", a), 0);
        try (var links = Files.list(root.resolve(FileReferences.LINKS))) {
            for (Path link : links.toList()) {
                Files.delete(link);
            }
        }
        BlockFiles reopened = new BlockFiles(root);
        assertFalse(reopened.has(a.cid()));
        assertEquals(new StoreStats(0, 0), reopened.stats());
    }

    @Test
    void aReferenceIntoASecondFileReplacesTheFirst() throws Exception {
        // A download resumed into a new file: its blocks move to the new file, the old one is let go.
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        VerifiedBlock a = block(8_000);
        Path old = download("old.bin", a);
        Path fresh = download("new.bin", block(100), a);
        store.putReference(a, old, 0);
        store.putReference(a, fresh, 100);
        assertEquals(1, links(old));
        assertEquals(2, links(fresh));
        assertEquals(new StoreStats(1, 8_000), store.stats());
        assertArrayEquals(a.data(), store.get(a.cid()).orElseThrow());
    }

    @Test
    void aReferenceIntoARemovedFileMovesToANewFileThatHoldsItsBytes() throws Exception {
        // A get failed and removed its partial file (the store's link kept the bytes); run again, it
        // writes the blocks into a new file and moves their references there.
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        VerifiedBlock a = block(8_000);
        VerifiedBlock b = block(5_000);
        Path partial = download("partial.bin", a, b);
        store.putReference(a, partial, 0);
        store.putReference(b, partial, a.data().length);
        Files.delete(partial);
        Path links = dir.resolve("blocks").resolve(FileReferences.LINKS);
        Path oldLink;
        try (var l = Files.list(links)) {
            oldLink = l.findFirst().orElseThrow();
        }
        Path fresh = download("fresh.bin", block(100), a, b);

        assertTrue(store.moveReference(a.cid(), fresh, 100));
        assertTrue(Files.exists(oldLink), "b is still referenced there");
        assertTrue(store.moveReference(b.cid(), fresh, 100 + a.data().length));
        assertFalse(Files.exists(oldLink), "the old file's space goes with its last reference");
        assertEquals(2, links(fresh));
        assertEquals(new StoreStats(2, 13_000), store.stats());
        assertArrayEquals(a.data(), store.get(a.cid()).orElseThrow());
        assertArrayEquals(b.data(), store.get(b.cid()).orElseThrow());

        // Into the same file again (one block held twice, say): kept where it is.
        assertFalse(store.moveReference(a.cid(), fresh, 100));
        assertEquals(2, links(fresh));
    }

    @Test
    void aReferenceIsNotMovedToARangeWithOtherBytesNorIsACopy() throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        VerifiedBlock a = block(8_000);
        VerifiedBlock c = block(3_000);
        Path file = download("out.bin", a);
        store.putReference(a, file, 0);
        Path other = download("other.bin", block(9_000));
        assertFalse(store.moveReference(a.cid(), other, 0), "other bytes there");
        assertFalse(store.moveReference(a.cid(), other, 5_000), "the range runs past the end");
        assertEquals(1, links(other), "no link is kept for a reference not moved");
        assertEquals(2, links(file));
        assertArrayEquals(a.data(), store.get(a.cid()).orElseThrow());

        store.put(c);
        assertFalse(store.moveReference(c.cid(), download("c.bin", c), 0), "a copy stays a copy");
        assertFalse(store.moveReference(block(10).cid(), file, 0), "an absent block stays absent");
    }

    @Test
    void aPutOfABlockKeptAsAReferenceStoresACopyAndDropsTheReference() throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        VerifiedBlock a = block(8_000);
        Path file = download("out.bin", a);
        store.putReference(a, file, 0);
        store.put(a);
        assertTrue(Files.exists(store.pathOf(a.cid())));
        assertFalse(store.isKeptAsReference(a.cid()));
        assertEquals(1, links(file), "the reference and the store's link went");
        assertEquals(new StoreStats(1, 8_000), store.stats());
        Files.delete(file);
        assertArrayEquals(a.data(), new BlockFiles(dir.resolve("blocks")).get(a.cid()).orElseThrow());
    }

    @Test
    void aCopyStoredFirstIsKeptAndNoReferenceIsMade() throws Exception {
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        VerifiedBlock a = block(8_000);
        store.put(a);
        Path file = download("out.bin", a);
        store.putReference(a, file, 0);
        assertFalse(store.isKeptAsReference(a.cid()));
        assertEquals(1, links(file));
    }

    @Test
    void aFileOnAnotherFileSystemIsStoredAsACopy() throws Exception {
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(dir)), "needs a second file system");
        BlockFiles store = new BlockFiles(dir.resolve("blocks"));
        VerifiedBlock a = block(8_000);
        Path file = Files.createTempFile(shm, "hyphae-reference-test", ".bin");
        try {
            Files.write(file, a.data());
            store.putReference(a, file, 0);
            assertTrue(Files.exists(store.pathOf(a.cid())), "a hard link cannot cross file systems: copied");
            Files.delete(file);
            assertArrayEquals(a.data(), store.get(a.cid()).orElseThrow());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
