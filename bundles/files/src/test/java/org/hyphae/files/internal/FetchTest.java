package org.hyphae.files.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.exchange.bitswap.internal.Bitswap;
import org.hyphae.files.FileSharing;
import org.hyphae.files.ImportOptions;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.fs.BlockFiles;
import org.hyphae.storage.memory.MemoryBlockStore;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FileSharing.fetch through real Bitswap nodes on the in-memory network; resume; garbage collection. */
class FetchTest {

    private static final ImportOptions SMALL = ImportOptions.defaults().withChunkSize(16 * 1024).withMaxLinks(11);

    private final MemoryNetwork net = new MemoryNetwork().simulateIdentify(true);
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<Bitswap> bitswaps = new ArrayList<>();

    @TempDir
    Path tmp;

    record Node(MemoryNode node, BlockStore store, Bitswap bitswap, UnixFsFileSharing files) {
    }

    Node node() {
        return node(Bitswap.Settings.defaults());
    }

    Node node(Bitswap.Settings settings) {
        return node(settings, new MemoryBlockStore());
    }

    Node node(Bitswap.Settings settings, BlockStore store) {
        MemoryNode n = net.node();
        Bitswap b = new Bitswap(n, () -> store, () -> null, executor, timer, settings);
        for (String p : Bitswap.PROTOCOLS) {
            n.handle(p, b::handle);
        }
        bitswaps.add(b);
        return new Node(n, store, b, new UnixFsFileSharing(store, null, b, null));
    }

    @AfterEach
    void stop() {
        bitswaps.forEach(Bitswap::stop);
        timer.shutdownNow();
        executor.shutdownNow();
        net.close();
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aGetIntoTheFsStoreKeepsItsLeavesAsReferencesIntoTheFileAndServesThemFromThere() throws Exception {
        Node seeder = node();
        BlockFiles fs = new BlockFiles(tmp.resolve("fetcher-blocks"));
        Node fetcher = node(Bitswap.Settings.defaults(), fs);
        Node third = node();
        net.connect(fetcher.node(), seeder.node());
        byte[] data = bytes(2 * 1024 * 1024 + 123, 21);
        Cid root = seeder.files().add(new ByteArrayInputStream(data), SMALL, null);

        // On by default (leavesAsReferences).
        Path out = tmp.resolve("out.bin");
        fetcher.files().get(root, out, null);
        assertArrayEquals(data, Files.readAllBytes(out));

        int leaves = 0;
        int references = 0;
        try (Cursor<Cid> c = fs.cids()) {
            while (c.hasNext()) {
                Cid cid = c.next();
                if (cid.codec() == org.hyphae.multiformats.Multicodec.RAW.code()) {
                    leaves++;
                    if (fs.isKeptAsReference(cid)) {
                        references++;
                    }
                }
            }
        }
        assertTrue(leaves > 100, "leaves: " + leaves);
        assertEquals(leaves, references, "every leaf a reference into the output, none a copy");
        assertEquals(2, ((Number) Files.getAttribute(out, "unix:nlink")).intValue(), "the store's link to the output");
        assertEquals(List.of(root), fetcher.files().pins().stream().map(org.hyphae.files.Pin::root).toList());

        // Served from the references, even with the output gone (the store's link keeps the bytes).
        Files.delete(out);
        net.connect(third.node(), fetcher.node());
        Path again = tmp.resolve("third.bin");
        third.files().get(root, again, null);
        assertArrayEquals(data, Files.readAllBytes(again));

        // Unpinned and collected: the link goes with the last reference, and the space with it.
        fetcher.files().unpin(root);
        fetcher.files().collectGarbage();
        assertEquals(0, fs.stats().count());
        try (var links = Files.list(fs.root().resolve(".files"))) {
            assertEquals(0, links.count());
        }

        // Switched off: the leaves are block files, the output has one link.
        fetcher.files().leavesAsReferences(false);
        byte[] other = bytes(300_000, 22);
        Cid otherRoot = seeder.files().add(new ByteArrayInputStream(other), SMALL, null);
        Path otherOut = tmp.resolve("other.bin");
        fetcher.files().get(otherRoot, otherOut, null);
        assertArrayEquals(other, Files.readAllBytes(otherOut));
        assertEquals(1, ((Number) Files.getAttribute(otherOut, "unix:nlink")).intValue(), "no link when off");
        try (Cursor<Cid> c = fs.cids()) {
            while (c.hasNext()) {
                Cid cid = c.next();
                assertFalse(fs.isKeptAsReference(cid), "a copy, not a reference: " + cid);
            }
        }
    }

    @Test
    void aPartialFileOfAnotherDagAtTheSameTargetIsNotWrittenInto() throws Exception {
        // A get of one file killed midway leaves its partial file, whose leaves the store may keep
        // as references into it; a get of another file to the same name must not overwrite them.
        Node seeder = node();
        BlockFiles fs = new BlockFiles(tmp.resolve("fetcher-blocks"));
        Node fetcher = node(Bitswap.Settings.defaults(), fs);
        net.connect(fetcher.node(), seeder.node());
        byte[] first = bytes(200_000, 31);
        byte[] second = bytes(200_000, 32);
        Cid firstRoot = seeder.files().add(new ByteArrayInputStream(first), SMALL, null);
        Cid secondRoot = seeder.files().add(new ByteArrayInputStream(second), SMALL, null);
        Path out = tmp.resolve("out.bin");
        Path firstPartial = UnixFsExporter.partialFile(out, firstRoot);
        Files.write(firstPartial, first);

        fetcher.files().get(secondRoot, out, null);
        assertArrayEquals(second, Files.readAllBytes(out));
        assertArrayEquals(first, Files.readAllBytes(firstPartial), "the other DAG's partial file is left as it was");
        assertFalse(Files.exists(UnixFsExporter.partialFile(out, secondRoot)), "renamed to the target");
    }

    @Test
    void aRunningFetchIsListedWithItsProgressAndLeavesTheListWhenItEnds() throws Exception {
        Node seeder = node();
        Node fetcher = node();
        net.connect(fetcher.node(), seeder.node());
        byte[] data = bytes(1024 * 1024 + 5, 3);
        Cid root = seeder.files().add(new ByteArrayInputStream(data), SMALL, null);
        List<org.hyphae.files.Transfer> seen = new ArrayList<>();
        fetcher.files().fetch(root, (done, total) -> {
            List<org.hyphae.files.Transfer> now = fetcher.files().transfers();
            assertEquals(1, now.size());
            assertEquals(root, now.get(0).root());
            assertEquals(done, now.get(0).bytesDone());
            assertEquals(total, now.get(0).bytesTotal());
            seen.add(now.get(0));
        });
        assertFalse(seen.isEmpty());
        assertEquals(data.length, seen.get(seen.size() - 1).bytesDone());
        assertTrue(fetcher.files().transfers().isEmpty(), "a finished fetch is not listed");

        // Garbage collection is refused while a get runs (its blocks are pinned only at its end).
        Cid other = seeder.files().add(new ByteArrayInputStream(bytes(600_000, 31)), SMALL, null);
        List<String> gcDuringGet = new ArrayList<>();
        fetcher.files().get(other, tmp.resolve("other.bin"), (done, total) -> {
            try {
                fetcher.files().collectGarbage();
                gcDuringGet.add("ran");
            } catch (IllegalStateException refused) {
                gcDuringGet.add("refused");
            } catch (java.io.IOException e) {
                gcDuringGet.add(e.toString());
            }
        });
        assertFalse(gcDuringGet.isEmpty());
        assertTrue(gcDuringGet.stream().allMatch("refused"::equals), gcDuringGet.toString());
        assertEquals(java.util.Set.of(root, other),
                fetcher.files().pins().stream().map(org.hyphae.files.Pin::root).collect(java.util.stream.Collectors.toSet()));
        Cid missing = Cid.parse("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
        try {
            fetcher.files().fetch(missing, null);
        } catch (java.io.IOException | RuntimeException expected) {
            // nobody has it
        }
        assertTrue(fetcher.files().transfers().isEmpty(), "a failed fetch is not listed");
    }

    @Test
    void aFileAddedOnOneNodeIsFetchedPinnedAndExportedOnAnother() throws Exception {
        Node seeder = node();
        Node fetcher = node();
        net.connect(fetcher.node(), seeder.node());
        byte[] data = bytes(3 * 1024 * 1024 + 77, 1);
        Cid root = seeder.files().add(new ByteArrayInputStream(data), SMALL, null);
        AtomicLong last = new AtomicLong();
        AtomicLong total = new AtomicLong();
        fetcher.files().fetch(root, (done, all) -> {
            last.set(done);
            total.set(all);
        });
        assertEquals(data.length, last.get());
        assertEquals(data.length, total.get());
        assertEquals(List.of(root), fetcher.files().pins().stream().map(p -> p.root()).toList());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fetcher.files().cat(root, out, null);
        assertArrayEquals(data, out.toByteArray());
    }

    @Test
    void aFolderIsFetchedAndExported() throws Exception {
        Node seeder = node();
        Node fetcher = node();
        net.connect(fetcher.node(), seeder.node());
        Path dir = Files.createDirectories(tmp.resolve("dir/sub"));
        Files.write(tmp.resolve("dir/a.bin"), bytes(100_000, 2));
        Files.write(dir.resolve("b.txt"), "hello".getBytes());
        Cid root = seeder.files().add(tmp.resolve("dir"), SMALL, null);
        fetcher.files().fetch(root, null);
        fetcher.files().export(root, tmp.resolve("out"), null);
        assertArrayEquals(Files.readAllBytes(tmp.resolve("dir/a.bin")), Files.readAllBytes(tmp.resolve("out/a.bin")));
        assertEquals("hello", Files.readString(tmp.resolve("out/sub/b.txt")));
    }

    @Test
    void aFetchResumesFromTheBlocksAlreadyStored() throws Exception {
        Node seeder = node();
        Node fetcher = node();
        net.connect(fetcher.node(), seeder.node());
        byte[] data = bytes(1024 * 1024, 3);
        Cid root = seeder.files().add(new ByteArrayInputStream(data), SMALL, null);
        // As if an earlier fetch stopped midway: every other block is there already.
        List<Cid> all = new ArrayList<>();
        try (Cursor<Cid> c = seeder.store().cids()) {
            c.forEachRemaining(all::add);
        }
        int copied = 0;
        for (int i = 0; i < all.size(); i += 2) {
            fetcher.store().put(all.get(i), seeder.store().get(all.get(i)).orElseThrow());
            copied++;
        }
        fetcher.files().fetch(root, null);
        // The seeder counts a block as sent when its write completes, which may be after the
        // fetcher has it: wait for the count, then check that it is not more.
        long deadline = System.currentTimeMillis() + 10_000;
        while (seeder.bitswap().stats().blocksSent() < all.size() - copied && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        assertEquals(all.size() - copied, seeder.bitswap().stats().blocksSent(), "only the missing blocks were sent");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fetcher.files().cat(root, out, null);
        assertArrayEquals(data, out.toByteArray());
    }

    @Test
    void garbageCollectionRemovesWhatNoPinReaches() throws Exception {
        Node n = node();
        Files.write(tmp.resolve("kept.bin"), bytes(200_000, 4));
        Cid kept = n.files().add(tmp.resolve("kept.bin"), SMALL, null);
        Cid loose = n.files().add(new ByteArrayInputStream(bytes(300_000, 5)), SMALL, null);
        long before = n.store().stats().count();
        FileSharing.GcResult r = n.files().collectGarbage();
        assertTrue(r.blocksRemoved() > 0);
        assertEquals(before - r.blocksRemoved(), n.store().stats().count());
        assertEquals(r.blocksKept(), n.store().stats().count());
        assertFalse(n.store().has(loose));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        n.files().cat(kept, out, null);
        assertArrayEquals(bytes(200_000, 4), out.toByteArray());
        assertTrue(n.files().unpin(kept));
        n.files().collectGarbage();
        assertEquals(0, n.store().stats().count());
    }

    @Test
    void getWritesAFileAndAFolderAsTheyArriveAndPinsThem() throws Exception {
        Node seeder = node();
        Node fetcher = node();
        net.connect(fetcher.node(), seeder.node());
        byte[] data = bytes(2 * 1024 * 1024 + 13, 6);
        Cid file = seeder.files().add(new ByteArrayInputStream(data), SMALL, null);
        AtomicLong last = new AtomicLong();
        fetcher.files().get(file, tmp.resolve("got.bin"), (done, all) -> last.set(done));
        assertArrayEquals(data, Files.readAllBytes(tmp.resolve("got.bin")));
        assertEquals(data.length, last.get());
        assertTrue(fetcher.files().pins().stream().anyMatch(p -> p.root().equals(file)));

        Path dir = Files.createDirectories(tmp.resolve("dir/sub"));
        Files.write(tmp.resolve("dir/a.bin"), bytes(300_000, 7));
        Files.write(tmp.resolve("dir/same.bin"), bytes(300_000, 7)); // the same blocks twice in one DAG
        Files.write(dir.resolve("b.txt"), "hello".getBytes());
        Cid folder = seeder.files().add(tmp.resolve("dir"), SMALL, null);
        fetcher.files().get(folder, tmp.resolve("out"), null);
        assertArrayEquals(bytes(300_000, 7), Files.readAllBytes(tmp.resolve("out/a.bin")));
        assertArrayEquals(bytes(300_000, 7), Files.readAllBytes(tmp.resolve("out/same.bin")));
        assertEquals("hello", Files.readString(tmp.resolve("out/sub/b.txt")));
        assertThrows(java.io.IOException.class, () -> fetcher.files().get(folder, tmp.resolve("out"), null),
                "an existing target is not overwritten");
    }

    /** In memory, and in the fs store, whose leaves are references into the partial file until it is removed. */
    @ParameterizedTest(name = "fs store: {0}")
    @ValueSource(booleans = {false, true})
    void aGetWhoseBlockNobodyHasFailsLeavesNoFileAndKeepsWhatItFetched(boolean fsStore) throws Exception {
        Bitswap.Settings quick = new Bitswap.Settings(4 << 20, 2 << 20, 1024, 64L << 20, 8L << 20, 32, 500, 1_500,
                5_000, 5_000, 30, 60_000, 0);
        Node seeder = node(quick);
        BlockFiles fs = fsStore ? new BlockFiles(tmp.resolve("fetcher-blocks")) : null;
        Node fetcher = fsStore ? node(quick, fs) : node(quick);
        net.connect(fetcher.node(), seeder.node());
        byte[] data = bytes(1024 * 1024, 8);
        Cid root = seeder.files().add(new ByteArrayInputStream(data), SMALL, null);
        // The seeder loses the file's last leaf: the first bytes can be written, the last never.
        List<Cid> leaves = new ArrayList<>();
        try (Cursor<Cid> c = seeder.store().cids()) {
            c.forEachRemaining(cid -> {
                if (cid.codec() == org.hyphae.multiformats.Multicodec.RAW.code()) {
                    leaves.add(cid);
                }
            });
        }
        byte[] tail = java.util.Arrays.copyOfRange(data, data.length - 16 * 1024, data.length);
        Cid lastLeaf = null;
        for (Cid leaf : leaves) {
            if (java.util.Arrays.equals(seeder.store().get(leaf).orElseThrow(), tail)) {
                lastLeaf = leaf;
            }
        }
        assertTrue(lastLeaf != null);
        seeder.store().delete(lastLeaf);
        Path target = tmp.resolve("never.bin");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> fetcher.files().get(root, target, null));
        assertTrue(e instanceof org.hyphae.exchange.BlockUnavailableException, e.toString());
        assertFalse(Files.exists(target), "no file under the target's name");
        try (var names = Files.list(tmp)) {
            assertEquals(List.of(), names.filter(f -> f.getFileName().toString().contains("never")).toList(),
                    "the partial file is removed");
        }
        Path links = tmp.resolve("fetcher-blocks").resolve(".files");
        if (fsStore) {
            try (var l = Files.list(links)) {
                assertEquals(1, l.count(), "the store's link keeps the removed partial file's leaves");
            }
        }
        assertTrue(fetcher.store().stats().count() > leaves.size() / 2, "the blocks fetched are kept for a resume");
        assertFalse(fetcher.store().has(lastLeaf));
        assertTrue(fetcher.files().pins().isEmpty(), "an incomplete DAG is not pinned: " + fetcher.files().pins());
        seeder.store().put(lastLeaf, tail);
        fetcher.files().get(root, target, null);
        assertArrayEquals(data, Files.readAllBytes(target), "the get resumes once the block is found");
        if (fsStore) {
            // The leaves moved to the new file; the removed one's space went with the last of them.
            try (var l = Files.list(links)) {
                assertEquals(1, l.count(), "one link, to the target");
            }
            assertEquals(2, ((Number) Files.getAttribute(target, "unix:nlink")).intValue());
        }
    }
}
