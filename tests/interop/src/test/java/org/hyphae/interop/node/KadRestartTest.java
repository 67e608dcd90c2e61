package org.hyphae.interop.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DHT's records live in the node's Datastore (fs by default): a value and a provider record
 * stored before a restart are there after it. No js peer needed: with no peers a put and a
 * provide are stored locally only.
 */
class KadRestartTest {

    @TempDir
    static Path work;
    private static final AtomicInteger MARK = new AtomicInteger();

    @Test
    void recordsSurviveARestart() throws Exception {
        Path home = NodeProcess.copyDistribution(work.resolve("node"));
        boolean inDistribution;
        try (Stream<Path> bundles = Files.list(home.resolve("bundles"))) {
            inDistribution = bundles.anyMatch(p -> p.getFileName().toString().startsWith("org.hyphae.discovery.kad"));
        }
        if (!inDistribution) {
            Files.copy(Path.of(System.getProperty("hyphae.test.kad")), home.resolve("deploy/discovery-kad.jar"));
        }
        Path dir = Files.createDirectories(work.resolve("hyphae"));
        String cid = Cid.v1(Multicodec.RAW, Multihash.sha2_256(new byte[] {42})).toString();
        String key;
        try (NodeProcess node = NodeProcess.start(home, dir, "--port", "0")) {
            awaitKad(node);
            String put = command(node, "hyphae:dht-put pk", l -> l.startsWith("PUT OK") || l.contains("failed"), 60);
            assertTrue(put.startsWith("PUT OK hex:"), put);
            key = put.substring("PUT OK hex:".length()).trim();
            String provided = command(node, "hyphae:provide " + cid, l -> l.startsWith("PROVIDING") || l.contains("failed"), 60);
            assertTrue(provided.startsWith("PROVIDING"), provided);
            node.terminate(30);
        }
        try (NodeProcess node = NodeProcess.start(home, dir, "--port", "0")) {
            String table = awaitKad(node);
            assertTrue(table.contains("1 values, 1 provider keys stored"), table);
            String got = command(node, "hyphae:dht-get hex:" + key, l -> l.startsWith("VALUE") || l.startsWith("NO VALUE"), 60);
            assertTrue(got.startsWith("VALUE hex:"), got);
            String providers = command(node, "hyphae:providers " + cid, l -> l.startsWith("PROVIDER"), 60);
            assertTrue(providers.startsWith("PROVIDER "), providers);
            node.terminate(30);
        }
    }

    /** Waits for the hot-deployed DHT; returns its routing-table summary line. */
    private static String awaitKad(NodeProcess node) throws Exception {
        node.awaitLine(l -> l.startsWith("Node ready in"), 60);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            String out = command(node, "hyphae:routing-table", l -> l.startsWith("ROUTING TABLE"), 10);
            if (out.startsWith("ROUTING TABLE")) {
                return out;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the kad bundle never started; node printed:\n" + node.output());
            }
            Thread.sleep(500);
        }
    }

    private static String command(NodeProcess node, String line, Predicate<String> match, long seconds) throws Exception {
        int before = node.output().split("\n").length;
        Writer shell = node.stdin();
        String mark = "kad-mark-" + MARK.incrementAndGet();
        shell.write(line + "\n" + "echo " + mark + "\n");
        shell.flush();
        node.awaitLine(l -> l.contains(mark) && !l.contains("echo"), seconds);
        String[] lines = node.output().split("\n");
        for (int i = before; i < lines.length; i++) {
            String l = lines[i].replaceFirst("^g! ", "");
            if (match.test(l)) {
                return l;
            }
        }
        return String.join("\n", Arrays.asList(lines).subList(before, lines.length));
    }
}
