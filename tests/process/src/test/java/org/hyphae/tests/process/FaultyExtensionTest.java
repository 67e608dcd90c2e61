package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An extension that throws in its component's activator and in its protocol handler, and a bundle
 * whose BundleActivator.start throws, are isolated: the node reports the failures, resets the
 * peer's stream, and goes on serving.
 */
class FaultyExtensionTest {

    private static final long WAIT = 180;
    private static final String BUNDLE = "org.hyphae.faulty.fixture";
    private static final String START_FAILURE_BUNDLE = "org.hyphae.startfailure.fixture";

    @TempDir
    Path work;

    @Test
    void throwingActivatorAndHandlerDoNotTakeTheNodeDown() throws Exception {
        Path jar = Path.of(System.getProperty("hyphae.test.faulty",
                "../faulty-fixture/target/org.hyphae.faulty.fixture-0.1.0-SNAPSHOT.jar"));
        assertTrue(Files.isRegularFile(jar), "build tests/faulty-fixture first: " + jar.toAbsolutePath());
        Path homeA = NodeProcess.copyDistribution(work.resolve("a-home"));
        Path homeB = NodeProcess.copyDistribution(work.resolve("b-home"));
        try (NodeProcess a = NodeProcess.start(homeA, Files.createDirectories(work.resolve("a")), "--port", "0");
                NodeProcess b = NodeProcess.start(homeB, Files.createDirectories(work.resolve("b")), "--port", "0")) {
            String idA = a.awaitLine(l -> l.startsWith("PeerID: "), WAIT).substring(8).trim();
            String idB = b.awaitLine(l -> l.startsWith("PeerID: "), WAIT).substring(8).trim();
            String addressA = a.awaitLine(l -> l.startsWith("Swarm listening on ") && l.contains("/tcp/") && !l.contains("/ws"),
                    WAIT).substring("Swarm listening on ".length()).trim();
            b.awaitLine(l -> l.startsWith("Node ready in "), WAIT);
            b.command("hyphae:connect " + addressA, l -> l.contains("connected to " + idA) || l.contains("rror"), WAIT);

            for (Path home : new Path[] {homeA, homeB}) {
                Path part = Files.copy(jar, home.resolve("deploy/faulty.jar.part"), StandardCopyOption.REPLACE_EXISTING);
                Files.move(part, home.resolve("deploy/faulty.jar"), StandardCopyOption.ATOMIC_MOVE);
            }
            awaitOutput(a, "lb -s", out -> out.lines().anyMatch(l -> l.contains(BUNDLE) && l.contains("Active")));
            awaitOutput(b, "faulty:call " + idA, out -> out.contains("call "));

            // A bundle whose BundleActivator.start throws: the framework refuses to start it, fileinstall
            // reports it, the node and its other bundles go on (checked below with the rest).
            Path startFailure = Path.of(System.getProperty("hyphae.test.startfailure",
                    "../start-failure-fixture/target/org.hyphae.startfailure.fixture-0.1.0-SNAPSHOT.jar"));
            assertTrue(Files.isRegularFile(startFailure), "build tests/start-failure-fixture first: " + startFailure.toAbsolutePath());
            int mark = a.lineCount();
            Path part = Files.copy(startFailure, homeA.resolve("deploy/start-failure.jar.part"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, homeA.resolve("deploy/start-failure.jar"), StandardCopyOption.ATOMIC_MOVE);
            a.awaitLine(mark, l -> l.contains("BundleActivator.start always throws"), WAIT);
            awaitOutput(a, "lb -s", out -> out.lines().anyMatch(l -> l.contains(START_FAILURE_BUNDLE)
                    && (l.contains("Resolved") || l.contains("Installed"))));
            assertTrue(a.commandOutput("lb -s", WAIT).lines().filter(l -> l.contains(START_FAILURE_BUNDLE))
                    .noneMatch(l -> l.contains("Active")), "the failing bundle is not active");

            // The activator's failure is SCR's to report; the bundle and the node stay up.
            String info = a.commandOutput("scr:info org.hyphae.tests.faulty.ThrowingActivator", WAIT);
            assertTrue(info.contains("activator always throws") || info.toLowerCase().contains("failed"), info);

            // The throwing handler: the caller's stream is reset, the host logs which handler and peer.
            String call = b.commandOutput("faulty:call " + idA, WAIT);
            assertTrue(call.contains("call failed") && call.contains("reset"), call);
            a.awaitLine(l -> l.contains("handler for /hyphae-test/throws/1.0.0 failed on a stream from " + idB), WAIT);

            // And everything else goes on: ping, the shell, the other bundles all active.
            assertTrue(b.command("hyphae:ping " + idA, l -> l.contains("PONG") || l.contains("rror"), WAIT).contains("PONG"));
            assertTrue(a.commandOutput("hyphae:id", WAIT).contains(idA));
            String bundles = a.commandOutput("lb -s", WAIT);
            assertTrue(bundles.lines().filter(l -> l.contains("org.hyphae.") && !l.contains(START_FAILURE_BUNDLE))
                    .allMatch(l -> l.contains("Active")), bundles);
            a.terminate(30);
            b.terminate(30);
        }
    }

    private static void awaitOutput(NodeProcess node, String command, java.util.function.Predicate<String> done)
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
        throw new AssertionError("timed out; last " + command + ":\n" + out);
    }
}
