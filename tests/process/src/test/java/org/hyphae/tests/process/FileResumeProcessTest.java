package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hyphae.tests.support.NodeProcess;
import org.hyphae.tests.support.RandomFiles;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A download stopped by SIGKILL continues from the blocks it has: a seeder process adds a file, a
 * fetcher process starts {@code hyphae:get} and is killed once part of the blocks are on its disk;
 * restarted on the same data directory, the same {@code hyphae:get} fetches only the rest from the
 * seeder, and the bytes written out are the file's.
 */
class FileResumeProcessTest {

    private static final int SIZE = 192 << 20;
    private static final Pattern FROM_PEERS = Pattern.compile(", (\\d+) bytes of blocks from peers\\)");

    @TempDir
    Path work;

    /** With the default settings (a get's leaves kept as references into its output), and with copies. */
    @ParameterizedTest(name = "leavesAsReferences={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(600)
    void aFetchKilledMidwayResumesFromItsBlocks(boolean leavesAsReferences) throws Exception {
        Path file = work.resolve("file.bin");
        String sha = RandomFiles.write(file, SIZE, 7);
        Path seederData = work.resolve("seeder");
        Path fetcherData = work.resolve("fetcher");
        try (NodeProcess seeder = start(seederData)) {
            String seederAddr = address(seeder);
            String added = seeder.command("hyphae:add " + file, l -> l.contains("bafy"), 300);
            String cid = added.substring(added.indexOf("bafy")).trim().split("\\s+")[0];

            Path out = work.resolve("out.bin");
            long before;
            if (!leavesAsReferences) {
                Files.writeString(Files.createDirectories(fetcherData.resolve("config")).resolve("org.hyphae.files.cfg"),
                        "leavesAsReferences=false\n");
            }
            try (NodeProcess fetcher = start(fetcherData)) {
                address(fetcher);
                fetcher.command("hyphae:connect " + seederAddr, l -> l.contains("connected"), 60);
                fetcher.stdin().write("hyphae:get " + cid + " " + out + "\n");
                fetcher.stdin().flush();
                // Killed once a quarter of the file is on disk: under blocks/, the DAG's nodes and (by
                // default) its leaves as references into the partial output file, which the store keeps
                // a hard link to (in blocks/.files); without leavesAsReferences, the leaves as block
                // files. The restart goes on in that same partial file.
                Path blocks = fetcherData.resolve("blocks");
                long deadline = System.nanoTime() + 300_000_000_000L;
                while (blockBytes(blocks) < SIZE / 4) {
                    assertTrue(System.nanoTime() < deadline, "the fetch did not start:\n" + fetcher.output());
                    Thread.sleep(5);
                }
                fetcher.process().destroyForcibly().waitFor();
                before = blockBytes(blocks);
            }
            assertFalse(Files.exists(out), "the fetch finished before the kill: make the file bigger");
            assertTrue(before < SIZE, "killed midway: " + before + " of " + SIZE + " bytes stored");

            try (NodeProcess fetcher = start(fetcherData)) {
                address(fetcher);
                fetcher.command("hyphae:connect " + seederAddr, l -> l.contains("connected"), 60);
                String got = fetcher.command("hyphae:get " + cid + " " + out, l -> l.contains("got " + cid), 300);
                Matcher m = FROM_PEERS.matcher(got);
                assertTrue(m.find(), got);
                long fromPeers = Long.parseLong(m.group(1));
                // What was stored before the kill is not fetched again: less a block or two the
                // kill may have torn, and with references the leaves written into the partial file
                // (counted above through the store's link to it) but not stored yet, a batch of up
                // to 8 MiB (FetchedBlocks.REFERENCE_BATCH_BYTES).
                long slack = (2L << 20) + (leavesAsReferences ? 8L << 20 : 0);
                assertTrue(fromPeers <= SIZE - before + slack, "fetched again " + fromPeers + " bytes, had " + before
                        + " of " + SIZE + ": " + got);
                assertTrue(fromPeers > 0, got);
                System.out.printf("resume: %d of %d bytes stored when killed; %d fetched after the restart: %s%n", before, SIZE,
                        fromPeers, got);
                assertEquals(sha, RandomFiles.sha256(out), "the bytes written out are the file's");
                fetcher.terminate(60);
            }
            seeder.terminate(60);
        }
    }

    private NodeProcess start(Path data) throws IOException {
        return NodeProcess.start(work, "--port", "0", "--listen", "127.0.0.1", "--data", data.toString());
    }

    private static String address(NodeProcess node) throws InterruptedException {
        String line = node.awaitLine(l -> l.contains("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"), 300);
        node.awaitLine(l -> l.startsWith("Node ready in"), 300);
        return line.substring(line.indexOf("/ip4/")).trim().split("\\s+")[0];
    }

    private static long blockBytes(Path blocks) throws IOException {
        if (!Files.isDirectory(blocks)) {
            return 0;
        }
        // The fetch is writing while this counts: temporary files come and go (.tmp is skipped, and
        // an entry that vanishes between listing and reading is not counted).
        long[] total = {0};
        Files.walkFileTree(blocks, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes attrs) {
                return dir.getFileName().toString().equals(".tmp") ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                        : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total[0] += attrs.size();
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException gone) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }
}
