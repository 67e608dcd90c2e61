package org.hyphae.interop.node;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;

/**
 * An assembled Hyphae node process with the kad DHT (hot-deployed until the full node's bundle set
 * includes it), driven through its shell.
 */
final class KadNode implements AutoCloseable {

    private static final AtomicInteger MARK = new AtomicInteger();

    final NodeProcess process;
    final PeerId id;
    /** Its TCP listen address on 127.0.0.1, with {@code /p2p/<id>}. */
    final String addr;
    private final Writer shell;

    private KadNode(NodeProcess process, PeerId id, String addr) {
        this.process = process;
        this.id = id;
        this.addr = addr.contains("/p2p/") ? addr : addr + "/p2p/" + id;
        this.shell = process.stdin();
    }

    /** Starts a node in {@code dir} (a copy of the distribution goes there) and waits for its DHT commands. */
    static KadNode start(Path dir) throws Exception {
        Path home = NodeProcess.copyDistribution(dir.resolve("node"));
        boolean inDistribution;
        try (Stream<Path> bundles = Files.list(home.resolve("bundles"))) {
            inDistribution = bundles.anyMatch(p -> p.getFileName().toString().startsWith("org.hyphae.discovery.kad"));
        }
        if (!inDistribution) {
            Files.copy(Path.of(System.getProperty("hyphae.test.kad")), home.resolve("deploy/discovery-kad.jar"));
        }
        NodeProcess process = NodeProcess.start(home, Files.createDirectories(dir.resolve("data")), "--port", "0");
        PeerId id = PeerId.parse(process.awaitLine(l -> l.startsWith("PeerID: "), 90).substring(8).trim());
        process.awaitLine(l -> l.startsWith("Node ready in"), 90);
        String addr = Stream.of(process.output().split("\n"))
                .filter(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"))
                .map(l -> l.substring("Swarm listening on ".length()).trim()).findFirst().orElseThrow();
        KadNode node = new KadNode(process, id, addr);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!node.command("hyphae:routing-table", l -> l.startsWith("ROUTING TABLE"), 20).startsWith("ROUTING TABLE")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the kad bundle never started; node printed:\n" + process.output());
            }
            Thread.sleep(500);
        }
        return node;
    }

    /**
     * Runs a shell command and returns the first line it printed that matches (or everything it
     * printed). Each command is followed by an echo of a unique mark, so lines from earlier
     * commands are never taken.
     */
    synchronized String command(String line, Predicate<String> match, long seconds) throws IOException, InterruptedException {
        int before = process.output().split("\n").length;
        shell.write(line + "\n");
        shell.flush();
        String mark = "kad-mark-" + MARK.incrementAndGet();
        shell.write("echo " + mark + "\n");
        shell.flush();
        process.awaitLine(l -> l.contains(mark) && !l.contains("echo"), seconds);
        String[] lines = process.output().split("\n");
        for (int i = before; i < lines.length; i++) {
            String l = lines[i].replaceFirst("^g! ", "");
            if (match.test(l)) {
                return l;
            }
        }
        return String.join("\n", java.util.Arrays.asList(lines).subList(before, lines.length));
    }

    @Override
    public void close() throws Exception {
        process.terminate(30);
        process.close();
    }
}
