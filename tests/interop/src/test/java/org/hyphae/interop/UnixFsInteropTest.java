package org.hyphae.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hyphae.files.FileSharing;
import org.hyphae.files.ImportOptions;
import org.hyphae.files.internal.UnixFsFileSharing;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.memory.MemoryBlockStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * UnixFS import: Hyphae's root CIDs against @helia/unixfs 8 (ipfs-unixfs-importer 17) for the same
 * bytes and settings (CIDv1, raw leaves, fixed-size chunks, balanced layout), for files around chunk
 * boundaries, multi-level trees and a nested folder; and Hyphae exports the same bytes back.
 */
class UnixFsInteropTest {

    private static JsProcess js;

    @BeforeAll
    static void startOracle() {
        js = JsProcess.start("unixfs-oracle.mjs");
    }

    @AfterAll
    static void stopOracle() {
        if (js != null) {
            js.close();
        }
    }

    private static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String helia(byte[] data, ImportOptions options) {
        ObjectNode request = JsProcess.request("addBytes");
        request.put("hex", Hex.encode(data));
        request.put("chunkSize", options.chunkSize());
        request.put("maxLinks", options.maxLinks());
        return js.call(request).get("cid").asText();
    }

    @ParameterizedTest(name = "{0} bytes, chunk {1}, {2} links")
    @CsvSource({
        "0, 262144, 174",
        "1, 262144, 174",
        "262143, 262144, 174",
        "262144, 262144, 174",
        "262145, 262144, 174",
        "3145728, 262144, 174",
        "3145729, 1048576, 174",
        "3145728, 1048576, 1024",
        // 174 leaves exactly, one more (a second level node of one link), and three levels
        "178176, 1024, 174",
        "178177, 1024, 174",
        "484423, 16, 174",
        "30305, 1, 174",
        "1000, 10, 10",
    })
    void fileCidsEqualHelias(int size, int chunk, int links) throws IOException {
        ImportOptions options = ImportOptions.defaults().withChunkSize(chunk).withMaxLinks(links);
        byte[] data = bytes(size, size * 31L + chunk);
        FileSharing files = new UnixFsFileSharing(new MemoryBlockStore(), null);
        Cid ours = files.add(new ByteArrayInputStream(data), options, null);
        assertEquals(helia(data, options), ours.toString(), size + " bytes with " + options);

        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertEquals(size, files.cat(ours, back, null));
        assertArrayEquals(data, back.toByteArray(), "exported bytes of " + ours);
    }

    @Test
    void nestedFolderCidEqualsHelias(@TempDir Path tmp) throws IOException {
        ImportOptions options = ImportOptions.defaults().withChunkSize(1024);
        Path root = Files.createDirectory(tmp.resolve("album"));
        ObjectNode request = JsProcess.request("addFolder");
        request.put("name", "album");
        request.put("chunkSize", options.chunkSize());
        request.put("maxLinks", options.maxLinks());
        ArrayNode entries = request.putArray("entries");
        String[][] files = {
            {"b.txt", "5"}, {"a.bin", "3000"}, {"empty", "0"}, {"Zed", "1024"},
            {"sub/deeper/x", "200000"}, {"sub/y", "1"}, {"sub/\u00e9t\u00e9", "77"}, {"sub/deeper/z", "1025"},
        };
        long seed = 7;
        for (String[] f : files) {
            byte[] data = bytes(Integer.parseInt(f[1]), seed++);
            Path p = root.resolve(f[0]);
            Files.createDirectories(p.getParent());
            Files.write(p, data);
            entries.addObject().put("path", f[0]).put("hex", Hex.encode(data));
        }
        Files.createDirectories(root.resolve("sub/nothing"));
        entries.addObject().put("path", "sub/nothing").put("dir", true);

        FileSharing sharing = new UnixFsFileSharing(new MemoryBlockStore(), null);
        Cid ours = sharing.add(root, options, null);
        assertEquals(js.call(request).get("cid").asText(), ours.toString(), "folder CID");

        Path out = tmp.resolve("out");
        sharing.export(ours, out, null);
        for (String[] f : files) {
            assertArrayEquals(Files.readAllBytes(root.resolve(f[0])), Files.readAllBytes(out.resolve(f[0])), f[0]);
        }
        assertEquals(true, Files.isDirectory(out.resolve("sub/nothing")));
    }
}
