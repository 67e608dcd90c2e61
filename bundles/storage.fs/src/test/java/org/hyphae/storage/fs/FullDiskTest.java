package org.hyphae.storage.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.hyphae.storage.StorageException;
import org.hyphae.storage.testkit.SampleBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: a 4 MiB tmpfs mounted for the test. Needs root (CI runs as root); elsewhere
 * the test is skipped with a message.
 */
class FullDiskTest {

    @TempDir
    Path dir;
    private Path mount;
    private boolean mounted;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = dir.resolve("small-disk");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        mounted = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!mounted && "true".equals(System.getenv("CI"))) {
            fail("CI runs as root and must be able to mount a small tmpfs for the full-disk test: " + out);
        }
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs (needs root), full-disk test skipped: " + out);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void blockWritesFailClearlyAndReadsGoOn() throws Exception {
        BlockFiles store = new BlockFiles(mount.resolve("blocks"));
        Random random = new Random(5);
        List<SampleBlock> stored = new ArrayList<>();
        StorageException failure = null;
        for (int i = 0; i < 100 && failure == null; i++) {
            SampleBlock b = SampleBlock.random(random, 256 * 1024);
            try {
                store.put(b.cid(), b.data());
                stored.add(b);
            } catch (StorageException e) {
                failure = e;
            }
        }
        assertTrue(failure != null, "a 4 MiB disk fills up");
        assertTrue(failure.getMessage().contains("disk full"), failure.getMessage());
        assertTrue(failure.resource().isPresent(), failure.getMessage());
        assertTrue(stored.size() >= 10, "stored " + stored.size());
        for (SampleBlock b : stored) {
            assertArrayEquals(b.data(), store.get(b.cid()).orElseThrow(), "reads go on");
        }
        try (var tmp = Files.list(mount.resolve("blocks").resolve(".tmp"))) {
            assertEquals(0, tmp.count(), "a failed write leaves no temp file");
        }
        assertEquals(stored.size(), store.stats().count());
        store.delete(stored.get(0).cid());
        SampleBlock again = SampleBlock.random(random, 100_000);
        store.put(again.cid(), again.data());
        assertTrue(store.has(again.cid()), "writes work again once there is room");
    }

    @Test
    void datastoreWritesFailClearlyAndReadsGoOn() throws Exception {
        Path filler = mount.resolve("filler");
        Files.write(filler, new byte[1024 * 1024]);
        MvStoreDatastore store = new MvStoreDatastore(mount.resolve("datastore").resolve("datastore.mv"));
        try {
            Random random = new Random(6);
            List<byte[]> keys = new ArrayList<>();
            StorageException failure = null;
            for (int i = 0; i < 200 && failure == null; i++) {
                byte[] key = ("key-" + i).getBytes();
                byte[] value = new byte[64 * 1024];
                random.nextBytes(value);
                try {
                    store.put(key, value);
                    keys.add(key);
                } catch (StorageException e) {
                    failure = e;
                }
            }
            assertTrue(failure != null, "a 4 MiB disk fills up");
            assertTrue(failure.getMessage().contains(mount.toString()), failure.getMessage());
            assertTrue(keys.size() >= 5, "stored " + keys.size());
            for (byte[] key : keys) {
                assertTrue(store.get(key).isPresent(), "reads go on after the failure: " + new String(key));
            }
            Files.delete(filler);
            store.put("after".getBytes(), new byte[] {1});
            assertTrue(store.has("after".getBytes()), "writes work again once there is room");
            for (byte[] key : keys) {
                assertTrue(store.get(key).isPresent(), "nothing acknowledged was lost: " + new String(key));
            }
        } finally {
            store.close();
        }
    }
}
