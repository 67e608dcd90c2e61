package org.hyphae.interop.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.hyphae.interop.JsProcess;
import org.hyphae.multiformats.Cid;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Bitswap between Hyphae's assembled node and an unmodified Helia 7 node (@helia/unixfs 8,
 * @helia/bitswap) on 127.0.0.1: Helia fetches a multi-megabyte file and a folder added on Hyphae
 * ({@code hyphae:add}), and Hyphae fetches ({@code hyphae:get}) a file and a folder added on Helia;
 * the bytes match, and each side's CID is the one the other side computes for the same bytes.
 */
class BitswapInteropTest {

    @TempDir
    static Path work;
    static NodeProcess hyphae;
    static Writer shell;
    static String hyphaeAddr;
    static JsProcess helia;
    static String heliaAddr;
    private static final AtomicInteger MARK = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path home = NodeProcess.copyDistribution(work.resolve("node"));
        hyphae = NodeProcess.start(home, Files.createDirectories(work.resolve("hyphae")), "--port", "0", "--listen", "127.0.0.1");
        shell = hyphae.stdin();
        hyphae.awaitLine(l -> l.startsWith("Node ready in"), 300);
        hyphaeAddr = Stream.of(hyphae.output().split("\n"))
                .filter(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"))
                .map(l -> l.substring("Swarm listening on ".length()).trim()).findFirst().orElseThrow();
        helia = JsProcess.start("helia-peer.mjs");
        heliaAddr = helia.call("start").get("addrs").get(0).asText();
        helia.call("dial", "addr", hyphaeAddr);
    }

    @AfterAll
    static void stop() throws Exception {
        if (helia != null) {
            helia.close();
        }
        if (hyphae != null) {
            hyphae.terminate(30);
            hyphae.close();
        }
    }

    /** Runs a shell command; returns the first line it printed that matches (or all it printed). */
    private static synchronized String command(String line, Predicate<String> match, long seconds)
            throws IOException, InterruptedException {
        int before = hyphae.output().split("\n").length;
        shell.write(line + "\n");
        shell.flush();
        String mark = "bitswap-mark-" + MARK.incrementAndGet();
        shell.write("echo " + mark + "\n");
        shell.flush();
        hyphae.awaitLine(l -> l.contains(mark) && !l.contains("echo"), seconds);
        String[] lines = hyphae.output().split("\n");
        for (int i = before; i < lines.length; i++) {
            String l = lines[i].replaceFirst("^g! ", "").replaceFirst("^.*\r", "");
            if (match.test(l)) {
                return l;
            }
        }
        return String.join("\n", java.util.Arrays.asList(lines).subList(before, lines.length));
    }

    private static String addOnHyphae(Path path) throws Exception {
        String out = command("hyphae:add " + path, l -> l.startsWith("bafy") || l.startsWith("bafk"), 120);
        return Cid.parse(out.trim()).toString();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void heliaFetchesAMultiMegabyteFileAddedOnHyphae() throws Exception {
        byte[] data = random(12 * 1024 * 1024 + 12345, 1);
        Path file = Files.write(work.resolve("h1.bin"), data);
        String cid = addOnHyphae(file);
        JsonNode got = helia.timeout(Duration.ofSeconds(180)).call("cat", "cid", cid, "out", work.resolve("h1.helia").toString());
        assertEquals(data.length, got.get("bytes").asLong());
        assertEquals(sha256(data), got.get("sha256").asText());
        assertArrayEquals(data, Files.readAllBytes(work.resolve("h1.helia")));
        // Helia computes the same CID for the same bytes and settings.
        assertEquals(cid, helia.call("addFile", "path", file.toString()).get("cid").asText());
    }

    @Test
    void heliaFetchesAFolderAddedOnHyphae() throws Exception {
        Path dir = Files.createDirectories(work.resolve("hfolder/sub"));
        byte[] a = random(3 * 1024 * 1024 + 1, 2);
        byte[] b = "a small file\n".getBytes();
        Files.write(work.resolve("hfolder/a.bin"), a);
        Files.write(dir.resolve("b.txt"), b);
        String cid = addOnHyphae(work.resolve("hfolder"));
        JsonNode entries = helia.timeout(Duration.ofSeconds(60)).call("ls", "cid", cid).get("entries");
        List<String> names = new ArrayList<>();
        entries.forEach(e -> names.add(e.get("name").asText()));
        assertEquals(List.of("a.bin", "sub"), names);
        JsonNode fileA = helia.timeout(Duration.ofSeconds(120)).call("cat", "cid", entries.get(0).get("cid").asText(),
                "out", work.resolve("ha.helia").toString());
        assertEquals(sha256(a), fileA.get("sha256").asText());
        String subCid = entries.get(1).get("cid").asText();
        JsonNode sub = helia.call("ls", "cid", subCid).get("entries");
        JsonNode fileB = helia.call("cat", "cid", sub.get(0).get("cid").asText(), "out", work.resolve("hb.helia").toString());
        assertEquals(sha256(b), fileB.get("sha256").asText());
        assertEquals(cid, helia.call("addFolder", "path", work.resolve("hfolder").toString()).get("cid").asText());
    }

    @Test
    void hyphaeFetchesAFileAddedOnHelia() throws Exception {
        byte[] data = random(9 * 1024 * 1024 + 999, 3);
        Path file = Files.write(work.resolve("j1.bin"), data);
        String cid = helia.timeout(Duration.ofSeconds(60)).call("addFile", "path", file.toString()).get("cid").asText();
        connectToHelia();
        Path out = work.resolve("j1.hyphae");
        String got = command("hyphae:get " + cid + " " + out, l -> l.startsWith("got ") || l.contains("Exception") || l.contains("rror"), 180);
        assertTrue(got.startsWith("got " + cid), got + "\n" + hyphae.output());
        assertArrayEquals(data, Files.readAllBytes(out));
        // Hyphae's import of the same bytes gives Helia's CID.
        assertEquals(cid, addOnHyphae(file));
    }

    @Test
    void hyphaeFetchesAFolderAddedOnHelia() throws Exception {
        Path dir = Files.createDirectories(work.resolve("jfolder/deeper/deepest"));
        byte[] a = random(2 * 1024 * 1024 + 7, 4);
        Files.write(work.resolve("jfolder/x.bin"), a);
        Files.write(dir.resolve("y.txt"), "y".getBytes());
        Files.write(work.resolve("jfolder/deeper/z.txt"), new byte[0]);
        String cid = helia.timeout(Duration.ofSeconds(60)).call("addFolder", "path", work.resolve("jfolder").toString())
                .get("cid").asText();
        connectToHelia();
        Path out = work.resolve("jfolder.hyphae");
        String got = command("hyphae:get " + cid + " " + out, l -> l.startsWith("got ") || l.contains("Exception") || l.contains("rror"), 180);
        assertTrue(got.startsWith("got " + cid), got + "\n" + hyphae.output());
        assertArrayEquals(a, Files.readAllBytes(out.resolve("x.bin")));
        assertEquals("y", Files.readString(out.resolve("deeper/deepest/y.txt")));
        assertEquals(0, Files.size(out.resolve("deeper/z.txt")));
        assertEquals(cid, addOnHyphae(work.resolve("jfolder")));
    }

    @Test
    void heliaFetchesFromTwoHyphaeSeedersAtOnce() throws Exception {
        byte[] data = random(6 * 1024 * 1024 + 5, 5);
        Path file = Files.write(work.resolve("two.bin"), data);
        String cid = addOnHyphae(file);
        Path home = NodeProcess.copyDistribution(work.resolve("node2"));
        try (NodeProcess second = NodeProcess.start(home, Files.createDirectories(work.resolve("hyphae2")), "--port", "0",
                "--listen", "127.0.0.1"); JsProcess js = JsProcess.start("helia-peer.mjs")) {
            second.awaitLine(l -> l.startsWith("Node ready in"), 300);
            String addr2 = Stream.of(second.output().split("\n"))
                    .filter(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"))
                    .map(l -> l.substring("Swarm listening on ".length()).trim()).findFirst().orElseThrow();
            Writer in = second.stdin();
            in.write("hyphae:add " + file + "\n");
            in.flush();
            second.awaitLine(l -> l.replaceFirst("^g! ", "").trim().equals(cid), 120);
            js.call("start");
            js.call("dial", "addr", hyphaeAddr);
            js.call("dial", "addr", addr2);
            JsonNode got;
            try {
                got = js.timeout(Duration.ofSeconds(120)).call("cat", "cid", cid, "out", work.resolve("two.helia").toString());
            } catch (RuntimeException e) {
                throw new AssertionError("Helia's fetch from two seeders failed: " + e.getMessage() + "\nHelia stderr:\n"
                        + js.stderr(), e);
            }
            assertEquals(sha256(data), got.get("sha256").asText());
            second.terminate(30);
        }
    }

    private static void connectToHelia() throws Exception {
        String c = command("hyphae:connect " + heliaAddr, l -> l.toLowerCase().contains("connected") || l.contains("rror"), 60);
        assertTrue(c.toLowerCase().contains("connected"), c);
    }
}
