package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The third-party chat extension (examples/chat, built against the API only) dropped into the
 * deploy/ folder of running nodes: its protocol is announced (identify push) and works, its room
 * carries messages, its commands answer; deleting the jar takes all of it away and leaves no
 * thread, topic or service behind.
 */
class ChatExtensionTest {

    private static final long WAIT = 180;
    private static final String PROTOCOL = "/hyphae-example/chat/1.0.0";
    private static final String BUNDLE = "com.example.hyphae.chat";
    private static final String ROOM_TOPIC = "/hyphae-example/chat/room/lobby";

    @TempDir
    Path work;

    @Test
    void droppedChatExtensionChatsThenLeavesNothingBehind() throws Exception {
        Path jar = Path.of(System.getProperty("hyphae.example.chat",
                "../../examples/chat/target/hyphae-example-chat-1.0.0-SNAPSHOT.jar"));
        assertTrue(Files.isRegularFile(jar), "build examples/chat first: " + jar.toAbsolutePath());
        Path homeA = NodeProcess.copyDistribution(work.resolve("a-home"));
        Path homeB = NodeProcess.copyDistribution(work.resolve("b-home"));

        try (NodeProcess a = NodeProcess.start(homeA, Files.createDirectories(work.resolve("a")), "--port", "0");
                NodeProcess b = NodeProcess.start(homeB, Files.createDirectories(work.resolve("b")), "--port", "0")) {
            String idA = peerId(a);
            String idB = peerId(b);
            String addressA = tcpAddress(a);
            tcpAddress(b);
            b.command("hyphae:connect " + addressA, l -> l.contains("connected to " + idA) || l.contains("rror"), WAIT);
            awaitOutput(b, "hyphae:peer " + idA, out -> out.contains("speaks   /ipfs/id/1.0.0"), "identify of A");
            assertFalse(b.commandOutput("hyphae:peer " + idA, WAIT).contains(PROTOCOL));

            // GossipSub starts its delivery thread at the first local delivery and keeps it for the
            // router's lifetime: deliver once before the baseline, so that thread is not counted.
            a.command("hyphae:sub warm-up", l -> l.contains("subscribed to warm-up"), WAIT);
            a.command("hyphae:pub warm-up x", l -> l.contains("published"), WAIT);
            a.awaitLine(l -> l.contains("warm-up from "), WAIT);
            a.command("hyphae:unsub warm-up", l -> l.contains("unsubscribed"), WAIT);
            String statusBefore = a.commandOutput("hyphae:status", WAIT);
            List<String> threadsBefore = threadNames(a);

            drop(jar, homeA.resolve("deploy"));
            drop(jar, homeB.resolve("deploy"));
            awaitOutput(a, "chat:rooms", out -> out.contains("no rooms"), "chat commands on A");
            awaitOutput(b, "chat:rooms", out -> out.contains("no rooms"), "chat commands on B");
            String bundles = a.commandOutput("lb -s", WAIT);
            assertTrue(bundles.lines().anyMatch(l -> l.contains("Active") && l.contains(BUNDLE)), "lb lists the extension: " + bundles);

            // Identify push told B that A speaks chat now, without reconnecting.
            awaitOutput(b, "hyphae:peer " + idA, out -> out.contains("speaks   " + PROTOCOL), "identify push of " + PROTOCOL);

            // Direct messages both ways.
            String sent = b.command("chat:send " + idA + " hello from B", l -> l.contains("delivered"), WAIT);
            assertTrue(sent.contains("delivered to " + idA) && !sent.contains("not delivered"), sent);
            a.awaitLine(l -> l.contains("[chat] ") && l.contains(idB + ": hello from B"), WAIT);
            assertTrue(a.commandOutput("chat:inbox", WAIT).contains(idB + ": hello from B"));
            sent = a.command("chat:send " + idB + " and hello from A", l -> l.contains("delivered"), WAIT);
            assertTrue(sent.contains("delivered to " + idB) && !sent.contains("not delivered"), sent);
            // Input the protocol refuses, refused with a reason before anything is sent.
            assertTrue(a.command("chat:send " + idB + " " + "x".repeat(3000), l -> l.contains("not sent"), WAIT)
                    .contains("at most 2048"));
            assertTrue(a.command("chat:send not-a-peer hi", l -> l.contains("not a peer id"), WAIT).contains("not-a-peer"));

            // A room over GossipSub.
            a.command("chat:join lobby", l -> l.contains("joined #lobby"), WAIT);
            b.command("chat:join lobby", l -> l.contains("joined #lobby"), WAIT);
            awaitOutput(a, "hyphae:topics", out -> out.contains(ROOM_TOPIC) && out.contains(idB), "B in the room");
            sayUntilHeard(a, b, "lobby", "hi room from A");
            sayUntilHeard(b, a, "lobby", "hi room from B");

            // Take the jar away from A.
            Files.delete(homeA.resolve("deploy").resolve(jar.getFileName()));
            awaitOutput(a, "lb -s", out -> out.contains("org.hyphae.host") && !out.contains(BUNDLE), "the bundle uninstalled");
            assertTrue(a.commandOutput("chat:inbox", WAIT).contains("Command not found"), "chat commands gone");
            awaitOutput(b, "hyphae:peer " + idA, out -> out.contains("speaks   /ipfs/id/1.0.0") && !out.contains(PROTOCOL),
                    "identify push withdrew " + PROTOCOL);
            String refused = b.command("chat:send " + idA + " are you there", l -> l.contains("delivered"), WAIT);
            assertTrue(refused.contains("not delivered"), refused);
            String topics = a.commandOutput("hyphae:topics", WAIT);
            assertFalse(topics.contains(ROOM_TOPIC), "the room's subscription was closed: " + topics);
            assertEquals(statusBefore, a.commandOutput("hyphae:status", WAIT), "the node's areas are as before");
            assertNoThreadLeft(a, threadsBefore);

            // The node goes on: the host's own protocols still work between A and B.
            assertTrue(b.command("hyphae:ping " + idA, l -> l.contains("PONG") || l.contains("rror"), WAIT).contains("PONG from " + idA));
            assertEquals(143, a.terminate(30), a.output());
            assertEquals(143, b.terminate(30), b.output());
        }
    }

    /** Copy then rename, so fileinstall never sees a half-written jar. */
    private static void drop(Path jar, Path deploy) throws IOException {
        Path part = Files.copy(jar, deploy.resolve(jar.getFileName() + ".part"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, deploy.resolve(jar.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void sayUntilHeard(NodeProcess from, NodeProcess to, String room, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            String message = text + " " + attempt;
            int mark = to.lineCount();
            from.command("chat:say " + room + " " + message, l -> l.contains("said in") || l.contains("not sent"), WAIT);
            try {
                to.awaitLine(mark, l -> l.contains("[chat #" + room + "]") && l.endsWith(": " + message), 3);
                return;
            } catch (AssertionError meshNotFormedYet) {
                // publish again
            }
        }
        throw new AssertionError(text + " never heard in #" + room + ":\n" + to.output());
    }

    private static void awaitOutput(NodeProcess node, String command, Predicate<String> done, String what)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        String out = "";
        while (System.nanoTime() < deadline) {
            out = node.commandOutput(command, WAIT);
            if (done.test(out)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting for " + what + "; last " + command + ":\n" + out);
    }

    /**
     * Nothing of the extension runs any more: no thread has a chat class on its stack, and no
     * thread is left that was not there before the jar came (JDK pool workers excepted: they come
     * and go by themselves; so do the node's own pools, hyphae-* and gossipsub-*, which start their
     * workers on first use: the ledger's sync server, the signature verifiers).
     */
    private static void assertNoThreadLeft(NodeProcess node, List<String> before) throws Exception {
        String dump = threadDump(node);
        assertFalse(dump.contains("com.example.hyphae.chat"), "a thread still runs extension code:\n" + dump);
        List<String> extra = new ArrayList<>(threadNames(dump));
        extra.removeAll(before);
        extra.removeIf(name -> name.startsWith("ForkJoinPool") || name.equals("Attach Listener")
                || name.startsWith("CompletableFutureDelayScheduler") || name.startsWith("process reaper")
                || name.startsWith("hyphae-") || name.startsWith("gossipsub-"));
        assertTrue(extra.isEmpty(), "threads that came with the extension and stayed: " + extra + "\n" + dump);
    }

    private static List<String> threadNames(NodeProcess node) throws Exception {
        return threadNames(threadDump(node));
    }

    private static List<String> threadNames(String dump) {
        return dump.lines().filter(l -> l.startsWith("\"")).map(l -> l.substring(1, l.indexOf('"', 1))).toList();
    }

    /** jcmd Thread.print of the node's JVM (bin/hyphae execs java, so the process is the JVM). */
    private static String threadDump(NodeProcess node) throws Exception {
        String java = node.process().info().command().orElseThrow();
        Path jcmd = Path.of(java).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(node.process().pid()), "Thread.print")
                .redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "jcmd failed: " + dump);
        return dump;
    }

    private static String peerId(NodeProcess node) throws InterruptedException {
        return node.awaitLine(l -> l.startsWith("PeerID: "), WAIT).substring("PeerID: ".length()).trim();
    }

    private static String tcpAddress(NodeProcess node) throws InterruptedException {
        String line = node.awaitLine(l -> l.startsWith("Swarm listening on ") && l.contains("/tcp/") && !l.contains("/ws"),
                WAIT);
        node.awaitLine(l -> l.startsWith("Node ready in "), WAIT);
        return line.substring("Swarm listening on ".length()).trim();
    }
}
