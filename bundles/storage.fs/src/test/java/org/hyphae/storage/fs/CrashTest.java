package org.hyphae.storage.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writer process ({@link CrashWriter}) with SIGKILL at random moments, 50 times, on one data
 * directory. After each kill the stores must open, hold every write acknowledged so far (blocks
 * verified against their CIDs), show no half-written block, and show every batch whole or not at all.
 */
class CrashTest {

    private static final int KILLS = 50;

    @TempDir
    Path data;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void acknowledgedWritesSurviveSigkill() throws Exception {
        Random random = new Random(2026);
        Set<Cid> blocks = new HashSet<>();
        Map<String, String> keys = new LinkedHashMap<>();
        Map<String, Integer> batches = new LinkedHashMap<>();
        Map<String, Integer> begun = new LinkedHashMap<>();
        HexFormat hex = HexFormat.of();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int run = 0; run < KILLS; run++) {
            Process writer = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), CrashWriter.class.getName(), data.toString(),
                    Integer.toString(run)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines = new ArrayList<>();
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.equals("READY")) {
                            ready.countDown();
                        } else {
                            synchronized (lines) {
                                lines.add(line);
                            }
                        }
                    }
                } catch (Exception e) {
                    // the pipe closes when the writer dies
                }
            });
            reader.start();
            if (!ready.await(30, TimeUnit.SECONDS)) {
                writer.destroyForcibly();
                fail("writer run " + run + " did not open the stores");
            }
            Thread.sleep(20 + random.nextInt(300));
            writer.destroyForcibly(); // SIGKILL on Linux
            writer.waitFor(30, TimeUnit.SECONDS);
            reader.join(10_000);
            assertTrue(!writer.isAlive());
            synchronized (lines) {
                for (String line : lines) {
                    String[] f = line.split(" ");
                    if (line.startsWith("ACK block ")) {
                        blocks.add(Cid.parse(f[2]));
                    } else if (line.startsWith("ACK key ")) {
                        keys.put(f[2], f.length > 3 ? f[3] : "");
                    } else if (line.startsWith("ACK batch ")) {
                        batches.put(f[2], Integer.parseInt(f[3]));
                    } else if (line.startsWith("BEGIN batch ")) {
                        begun.put(f[2], Integer.parseInt(f[3]));
                    }
                }
            }
            verify(run, blocks, keys, batches, begun, hex);
        }
        assertTrue(blocks.size() > KILLS && keys.size() > KILLS && batches.size() > KILLS,
                "the writers got work done: " + blocks.size() + " blocks, " + keys.size() + " keys, "
                        + batches.size() + " batches");
    }

    private void verify(int run, Set<Cid> blocks, Map<String, String> keys, Map<String, Integer> batches,
            Map<String, Integer> begun, HexFormat hex) throws Exception {
        BlockFiles blockStore = new BlockFiles(data.resolve("blocks"));
        for (Cid cid : blocks) {
            assertTrue(blockStore.get(cid).isPresent(), "after kill " + run + ": acknowledged block " + cid + " is there");
        }
        long seen = 0;
        try (Cursor<Cid> cids = blockStore.cids()) {
            while (cids.hasNext()) {
                // get() verifies: a half-written file under a block's name would fail here.
                assertTrue(blockStore.get(cids.next()).isPresent());
                seen++;
            }
        }
        assertTrue(seen >= blocks.size());
        try (var tmp = Files.list(data.resolve("blocks").resolve(".tmp"))) {
            assertEquals(0, tmp.count(), "leftovers removed on open");
        }

        try (MvStoreDatastore datastore = new MvStoreDatastore(data.resolve("datastore").resolve("datastore.mv"))) {
            for (Map.Entry<String, String> k : keys.entrySet()) {
                byte[] value = datastore.get(hex.parseHex(k.getKey())).orElse(null);
                assertTrue(value != null, "after kill " + run + ": acknowledged key " + k.getKey() + " is there");
                assertArrayEquals(hex.parseHex(k.getValue()), value);
            }
            for (Map.Entry<String, Integer> b : begun.entrySet()) {
                int present = 0;
                try (Cursor<Entry> scan = datastore.scan(KeyRange.prefix(hex.parseHex(b.getKey())))) {
                    while (scan.hasNext()) {
                        scan.next();
                        present++;
                    }
                }
                if (batches.containsKey(b.getKey())) {
                    assertEquals(b.getValue(), present, "after kill " + run + ": acknowledged batch " + b.getKey());
                } else {
                    assertTrue(present == 0 || present == b.getValue(),
                            "after kill " + run + ": batch " + b.getKey() + " cut by the kill is whole or absent, found "
                                    + present + " of " + b.getValue());
                }
            }
        }
    }
}
