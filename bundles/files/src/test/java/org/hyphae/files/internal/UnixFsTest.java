package org.hyphae.files.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.hyphae.files.FileSharing;
import org.hyphae.files.ImportOptions;
import org.hyphae.files.InvalidDagException;
import org.hyphae.files.Pin;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.memory.MemoryBlockStore;
import org.hyphae.storage.memory.MemoryDatastore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Import and export round trips, golden CIDs captured from @helia/unixfs 8 (the interop test in
 * tests/interop checks many more against a live Helia), pins, and DAGs that must be refused.
 */
class UnixFsTest {

    private static final ImportOptions KIB = ImportOptions.defaults().withChunkSize(1024);

    private final MemoryBlockStore store = new MemoryBlockStore();
    private final FileSharing files = new UnixFsFileSharing(store, null);

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private byte[] roundTrip(Cid cid) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.cat(cid, out, null);
        return out.toByteArray();
    }

    @Test
    void goldenCidsFromHelia() throws IOException {
        ImportOptions defaults = ImportOptions.defaults();
        assertEquals("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
                files.add(new ByteArrayInputStream(new byte[0]), defaults, null).toString());
        assertEquals("bafkreigks6arfsq3xxfpvqrrwonchxcnu6do76auprhhfomao6c273sixm",
                files.add(new ByteArrayInputStream("a".getBytes(StandardCharsets.US_ASCII)), defaults, null).toString());
        assertEquals("bafybeifbndfmqz3dhl2wcaj532jhyvf2ql2tocng76txsfvf4zb7bqoske",
                files.add(new ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII)),
                        defaults.withChunkSize(1), null).toString());
    }

    @Test
    void goldenFolderCidFromHelia(@TempDir Path tmp) throws IOException {
        Path r = Files.createDirectory(tmp.resolve("r"));
        Files.writeString(r.resolve("b"), "b");
        Files.createDirectories(r.resolve("a"));
        Files.write(r.resolve("a/x"), new byte[0]);
        Files.createDirectories(r.resolve("e"));
        assertEquals("bafybeiabkrxnmlsgjm4u3mshuiejpvktjhniswng5gvqww3mcf66qfb7fu",
                files.add(r, ImportOptions.defaults(), null).toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1023, 1024, 1025, 174 * 1024, 174 * 1024 + 1, 174 * 174 * 1024 + 3})
    void filesRoundTrip(int size) throws IOException {
        byte[] data = random(size);
        long[] last = {-1};
        Cid cid = files.add(new ByteArrayInputStream(data), KIB, (done, total) -> last[0] = done);
        assertEquals(size, last[0]);
        assertArrayEquals(data, roundTrip(cid));
        assertEquals(size <= 1024 ? Multicodec.RAW.code() : Multicodec.DAG_PB.code(), cid.codec());
        FileSharing.Entry entry = files.list(cid).get(0);
        assertEquals(FileSharing.Kind.FILE, entry.kind());
        assertEquals(size, entry.size());
    }

    @Test
    void importReadsTheStreamChunkByChunk() throws IOException {
        // a stream that never hands out more than it is asked for, and counts: 8 MiB in 256 KiB chunks
        long size = 8L * 1024 * 1024 + 5;
        InputStream source = new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? (int) (left & 0xff) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, Math.min(left, 4096));
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) (--left & 0xff);
                }
                return n;
            }
        };
        Cid cid = files.add(source, ImportOptions.defaults(), null);
        long[] count = {0};
        files.cat(cid, new java.io.OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        }, null);
        assertEquals(size, count[0]);
    }

    @Test
    void foldersRoundTripWithSortedLinks(@TempDir Path tmp) throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.write(root.resolve("zz"), random(5000));
        Files.write(root.resolve("B"), random(3));
        Files.write(root.resolve("a"), random(0));
        Files.createDirectories(root.resolve("sub/deep"));
        Files.write(root.resolve("sub/deep/f"), random(2049));
        Cid cid = files.add(root, KIB, null);
        List<String> names = new ArrayList<>();
        for (FileSharing.Entry e : files.list(cid)) {
            names.add(e.name());
        }
        assertEquals(List.of("B", "a", "sub", "zz"), names);
        assertEquals(FileSharing.Kind.DIRECTORY, files.list(cid).get(2).kind());

        Path out = tmp.resolve("out");
        files.export(cid, out, null);
        for (String f : List.of("zz", "B", "a", "sub/deep/f")) {
            assertArrayEquals(Files.readAllBytes(root.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        assertThrows(IOException.class, () -> files.export(cid, out, null), "target exists");
        assertThrows(InvalidDagException.class, () -> files.cat(cid, new ByteArrayOutputStream(), null), "cat of a folder");
        assertTrue(files.pins().stream().anyMatch(p -> p.root().equals(cid) && p.name().equals("root")));
    }

    @Test
    void symbolicLinksAreRefused(@TempDir Path tmp) throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.write(root.resolve("real"), random(10));
        Files.createSymbolicLink(root.resolve("link"), root.resolve("real"));
        IOException e = assertThrows(IOException.class, () -> files.add(root, KIB, null));
        assertTrue(e.getMessage().contains("link"), e.getMessage());
    }

    @Test
    void pinsPersistInTheDatastore() throws IOException {
        MemoryDatastore datastore = new MemoryDatastore();
        FileSharing withStore = new UnixFsFileSharing(store, datastore);
        Cid cid = withStore.add(new ByteArrayInputStream(random(3000)), KIB, null);
        withStore.pin(cid, "three thousand");
        withStore.pin(cid, "again");
        List<Pin> pins = new UnixFsFileSharing(store, datastore).pins();
        assertEquals(1, pins.size());
        assertEquals(cid, pins.get(0).root());
        assertEquals("three thousand", pins.get(0).name());
        assertTrue(withStore.unpin(cid));
        assertFalse(withStore.unpin(cid));
        assertTrue(withStore.pins().isEmpty());
    }

    @Test
    void fetchWithoutABlockExchangeSaysWhatIsMissing(@TempDir Path tmp) {
        Cid cid = Cid.v1(Multicodec.RAW, Multihash.sha2_256(new byte[0]));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> files.fetch(cid, null));
        assertTrue(e.getMessage().contains("Bitswap"), e.getMessage());
        IllegalStateException get = assertThrows(IllegalStateException.class,
                () -> files.get(cid, tmp.resolve("never"), null));
        assertTrue(get.getMessage().contains("Bitswap"), get.getMessage());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("never")));
    }

    // ---- bad DAGs ----------------------------------------------------------------------

    private static Cid put(LyingBlockStore lying, Cid cid, byte[] block) {
        lying.put(cid, block);
        return cid;
    }

    private static Cid pb(byte[] block) {
        return Cid.v1(Multicodec.DAG_PB, Multihash.sha2_256(block));
    }

    private static Cid raw(byte[] block) {
        return Cid.v1(Multicodec.RAW, Multihash.sha2_256(block));
    }

    private static InvalidDagException catFails(BlockStoreSharing s, Cid root) {
        return assertThrows(InvalidDagException.class, () -> s.files.cat(root, new ByteArrayOutputStream(), null));
    }

    private record BlockStoreSharing(LyingBlockStore store, FileSharing files) {
        BlockStoreSharing() {
            this(new LyingBlockStore());
        }

        BlockStoreSharing(LyingBlockStore store) {
            this(store, new UnixFsFileSharing(store, null));
        }
    }

    @Test
    void declaredFilesizeThatDoesNotAddUpIsRefused() {
        BlockStoreSharing s = new BlockStoreSharing();
        byte[] leaf = random(10);
        Cid leafCid = put(s.store(), raw(leaf), leaf);
        // Type=File, filesize=2^35 (absurd), blocksizes=[10]
        byte[] liar = DagPb.encode(List.of(new DagPb.Link(leafCid, "", 10)),
                new byte[] {0x08, 0x02, 0x18, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20, 0x20, 0x0a});
        Cid root = put(s.store(), pb(liar), liar);
        InvalidDagException e = catFails(s, root);
        assertEquals(root, e.cid());
        assertTrue(e.getMessage().contains("filesize"), e.getMessage());
    }

    @Test
    void childHoldingOtherThanDeclaredIsRefusedBeforeItsBytesAreWritten() {
        BlockStoreSharing s = new BlockStoreSharing();
        byte[] a = random(10);
        byte[] b = random(7);
        Cid ca = put(s.store(), raw(a), a);
        Cid cb = put(s.store(), raw(b), b);
        byte[] node = DagPb.encode(List.of(new DagPb.Link(ca, "", 10), new DagPb.Link(cb, "", 7)),
                UnixFsData.file(List.of(10L, 9L)));
        Cid root = put(s.store(), pb(node), node);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InvalidDagException e = assertThrows(InvalidDagException.class, () -> s.files().cat(root, out, null));
        assertEquals(cb, e.cid());
        assertEquals(10, out.size(), "only the verified first leaf was written");
    }

    @Test
    void cyclesAreRefused(@TempDir Path tmp) {
        BlockStoreSharing s = new BlockStoreSharing();
        // two file nodes that link to each other: only a store that does not verify can hold this
        Cid x = Cid.v1(Multicodec.DAG_PB, Multihash.sha2_256("x".getBytes(StandardCharsets.UTF_8)));
        Cid y = Cid.v1(Multicodec.DAG_PB, Multihash.sha2_256("y".getBytes(StandardCharsets.UTF_8)));
        s.store().put(x, DagPb.encode(List.of(new DagPb.Link(y, "", 100)), UnixFsData.file(List.of(5L))));
        s.store().put(y, DagPb.encode(List.of(new DagPb.Link(x, "", 100)), UnixFsData.file(List.of(5L))));
        InvalidDagException e = catFails(s, x);
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());

        Cid d = Cid.v1(Multicodec.DAG_PB, Multihash.sha2_256("d".getBytes(StandardCharsets.UTF_8)));
        s.store().put(d, DagPb.encode(List.of(new DagPb.Link(d, "self", 1)), UnixFsData.directory()));
        InvalidDagException folder = assertThrows(InvalidDagException.class, () -> s.files().export(d, tmp.resolve("out"), null));
        assertEquals(d, folder.cid());
        assertTrue(folder.getMessage().contains("cycle"), folder.getMessage());
    }

    @Test
    void garbageMissingBlocksAndForeignCodecsAreRefused() {
        BlockStoreSharing s = new BlockStoreSharing();
        byte[] junk = {(byte) 0xff, 0x01, 0x02};
        Cid junkCid = put(s.store(), pb(junk), junk);
        assertEquals(junkCid, catFails(s, junkCid).cid());
        Cid missing = raw(new byte[] {1});
        assertTrue(catFails(s, missing).getMessage().contains("not in the local store"));
        Cid cbor = Cid.v1(Multicodec.DAG_CBOR, Multihash.sha2_256(new byte[] {(byte) 0xa0}));
        assertTrue(catFails(s, cbor).getMessage().contains("not UnixFS"));
    }

    @Test
    void corruptBlocksAreRefusedNamingTheCid() throws IOException {
        LyingBlockStore lying = new LyingBlockStore();
        FileSharing sharing = new UnixFsFileSharing(lying, null);
        Cid cid = sharing.add(new ByteArrayInputStream(random(3000)), KIB, null);
        // a verifying store refuses a block whose bytes do not match; export never sees it
        MemoryBlockStore verifying = new MemoryBlockStore();
        for (var e : lying.blocks.entrySet()) {
            verifying.put(e.getKey(), e.getValue());
        }
        assertArrayEquals(random(3000), roundTripOn(verifying, cid));
        assertThrows(IOException.class, () -> verifying.put(cid, new byte[] {1, 2, 3}));
    }

    private static byte[] roundTripOn(MemoryBlockStore s, Cid cid) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new UnixFsFileSharing(s, null).cat(cid, out, null);
        return out.toByteArray();
    }

    @Test
    void unsafeEntryNamesAreRefusedOnExport(@TempDir Path tmp) throws IOException {
        byte[] leaf = random(4);
        store.put(raw(leaf), leaf);
        byte[] dir = DagPb.encode(List.of(new DagPb.Link(raw(leaf), "..", 4)), UnixFsData.directory());
        Cid root = pb(dir);
        store.put(root, dir);
        InvalidDagException e = assertThrows(InvalidDagException.class, () -> files.export(root, tmp.resolve("o"), null));
        assertTrue(e.getMessage().contains("'..'"), e.getMessage());
    }

    @Test
    void dagPbAndUnixFsCodecsRoundTrip() throws IOException {
        Cid child = raw(new byte[] {9});
        byte[] block = DagPb.encode(List.of(new DagPb.Link(child, "", 1)), UnixFsData.file(List.of(1L)));
        DagPb.Node node = DagPb.decode(block);
        assertEquals(List.of(new DagPb.Link(child, "", 1)), node.links());
        UnixFsData.Decoded data = UnixFsData.decode(node.data());
        assertEquals(UnixFsData.FILE, data.type());
        assertEquals(1, data.filesize());
        assertArrayEquals(new long[] {1}, data.blocksizes());
        // links come first, then data; the empty name is written (as @ipld/dag-pb does)
        assertEquals(0x12, block[0]);
        assertThrows(IOException.class, () -> DagPb.decode(new byte[] {0x1a, 0x00}), "unknown field");
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> ImportOptions.defaults().withChunkSize(0));
        assertThrows(IllegalArgumentException.class, () -> ImportOptions.defaults().withChunkSize(2 * 1024 * 1024));
        assertThrows(IllegalArgumentException.class, () -> ImportOptions.defaults().withMaxLinks(1));
        assertEquals(262144, ImportOptions.defaults().chunkSize());
        assertEquals(174, ImportOptions.defaults().maxLinks());
        assertEquals(1048576, ImportOptions.heliaDefaults().chunkSize());
    }
}
