package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.ledger.Block;
import org.hyphae.storage.fs.MvStoreDatastore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL a process that is importing blocks, at random moments, and reopen its store: the chain
 * opens (its accounts match the head's state root), keeps every block it acknowledged, and is
 * consistent from genesis to head.
 */
class ChainCrashTest {

    @Test
    @Timeout(600)
    void sigkillAtRandomMomentsLeavesAConsistentChain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chain.mv");
        Random rnd = new Random();
        Fixture f = new Fixture(1, 3);
        long lastAcknowledged = 0;
        for (int round = 0; round < 4; round++) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), CrashWriter.class.getName(), file.toString()).redirectErrorStream(true);
            Process p = pb.start();
            AtomicLong printed = new AtomicLong(-1);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("committed ")) {
                            printed.set(Long.parseLong(line.substring(10).trim()));
                        }
                    }
                } catch (Exception e) {
                    // process gone
                }
            });
            reader.start();
            long start = lastAcknowledged;
            long end = System.currentTimeMillis() + 120_000;
            while (printed.get() < start + 5 && System.currentTimeMillis() < end && p.isAlive()) {
                Thread.sleep(20);
            }
            assertTrue(printed.get() >= start + 5, "the writer made progress in round " + round);
            Thread.sleep(rnd.nextInt(400));
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            reader.join(5000);
            long acknowledged = printed.get();
            try (MvStoreDatastore ds = new MvStoreDatastore(file)) {
                Chain c = f.chain(ds);
                long head = c.head().height();
                assertTrue(head >= acknowledged, "head " + head + " keeps every acknowledged block up to " + acknowledged);
                assertEquals(f.spec.totalSupply(), c.totalBalance());
                Block prev = c.block(0).orElseThrow();
                for (long h = 1; h <= head; h++) {
                    Block b = c.block(h).orElseThrow(() -> new AssertionError("missing block"));
                    assertEquals(prev.hash(), b.header().parent(), "linked at " + b.height());
                    prev = b;
                }
                assertEquals(2 * head, c.account(f.users.get(0).peerId()).nonce(), "every block's transfers applied exactly once");
                lastAcknowledged = head;
            }
        }
    }
}
