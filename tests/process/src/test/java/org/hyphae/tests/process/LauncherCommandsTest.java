package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code hyphae} command line against running nodes (two processes on 127.0.0.1): status,
 * add on one node and get on the other with progress, a transfer that waits for its block, every
 * kind of bad input with its exit status, the control API refusing requests without the token, and
 * "no node" once a node stopped (cleanly, or killed leaving its control file behind).
 */
class LauncherCommandsTest {

    private static final Pattern CID = Pattern.compile("^bafy[a-z2-7]{50,}$", Pattern.MULTILINE);

    @TempDir
    Path work;

    /** What a {@code bin/hyphae} command printed and its exit status. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private Run hyphae(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(NodeProcess.distribution().resolve("bin/hyphae").toAbsolutePath().toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("hyphae " + String.join(" ", args) + " did not end in 300 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Path awaitControlFile(Path data, NodeProcess node) throws InterruptedException {
        Path file = data.resolve("control.json");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!Files.exists(file)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no " + file + "; node printed:\n" + node.output());
            }
            Thread.sleep(200);
        }
        return file;
    }

    private static String peerId(NodeProcess node) throws InterruptedException {
        return node.awaitLine(l -> l.startsWith("PeerID: "), 300).substring("PeerID: ".length()).trim();
    }

    private static String tcpAddress(NodeProcess node) throws InterruptedException {
        String line = node.awaitLine(l -> l.contains("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"), 300);
        return line.substring(line.indexOf("/ip4/")).trim();
    }

    @Test
    @Timeout(1200)
    void commandsDriveRunningNodesAndRefuseBadInput() throws Exception {
        Path dataA = work.resolve("a");
        Path dataB = work.resolve("b");
        try (NodeProcess a = NodeProcess.start(work, "--port", "0", "--data", dataA.toString());
                NodeProcess b = NodeProcess.start(work, "--port", "0", "--data", dataB.toString())) {
            String idA = peerId(a);
            String idB = peerId(b);
            a.awaitLine(l -> l.contains("Node ready in "), 300);
            b.awaitLine(l -> l.contains("Node ready in "), 300);
            Path control = awaitControlFile(dataA, a);
            awaitControlFile(dataB, b);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(control)),
                    "the token is the owner's only");

            Run status = hyphae("status", "--data", dataA.toString());
            assertEquals(0, status.exit(), status.toString());
            assertTrue(status.out().contains("peer id    " + idA), status.toString());
            assertTrue(status.out().contains("chain      hyphae-dev-"), status.toString());
            assertTrue(status.out().matches("(?s).*files +\\S*UnixFs.*"), status.toString());

            // add on A, get on B: the bytes arrive whole, with plain progress lines (stdout is a file here).
            byte[] content = new byte[6 * 1024 * 1024 + 12345];
            new Random(42).nextBytes(content);
            Path file = work.resolve("content.bin");
            Files.write(file, content);
            Run add = hyphae("add", "--data", dataA.toString(), file.toString());
            assertEquals(0, add.exit(), add.toString());
            Matcher m = CID.matcher(add.out());
            assertTrue(m.find(), add.toString());
            String cid = m.group();
            b.command("hyphae:connect " + tcpAddress(a), l -> l.contains("connected") || l.contains("Connected"), 120);
            Path fetched = work.resolve("fetched.bin");
            Run get = hyphae("get", "--data", dataB.toString(), cid, fetched.toString());
            assertEquals(0, get.exit(), get.toString());
            assertArrayEquals(content, Files.readAllBytes(fetched));
            assertTrue(get.out().contains("got " + cid + " (6.0 MiB in "), get.toString());
            assertTrue(get.out().lines().anyMatch(l -> l.contains("peers ") && l.contains("ETA")), get.toString());
            assertFalse(get.out().contains("\r") || get.out().contains("\033"), "no control characters off a terminal");

            // A transfer from A to B, waited for until it is in a block of A's chain.
            Run tx = hyphae("tx-send", "--data", dataA.toString(), "--fee", "2", idB, "1000");
            assertEquals(0, tx.exit(), tx.toString());
            Matcher sent = Pattern.compile("submitted ([0-9a-f]{64}) \\(nonce 0\\)").matcher(tx.out());
            assertTrue(sent.find(), tx.toString());
            Matcher included = Pattern.compile("included in block #(\\d+) ([0-9a-f]{64}) at index 0").matcher(tx.out());
            assertTrue(included.find(), tx.toString());
            String where = a.command("hyphae:tx " + sent.group(1), l -> l.contains(sent.group(1) + ": "), 60);
            assertTrue(where.contains("in block #" + included.group(1) + " " + included.group(2)), where);

            // Bad input: refused with the reason, exit 2, nothing done.
            assertRefused(hyphae("get", "--data", dataB.toString(), cid, fetched.toString()), 2, "already exists");
            assertRefused(hyphae("get", "--data", dataB.toString(), "not-a-cid", work.resolve("x").toString()), 2, "not a CID");
            assertRefused(hyphae("get", "--data", dataB.toString(), cid), 2, "get takes a CID and a path");
            assertRefused(hyphae("get", "--data", dataB.toString(), cid, work.resolve("no/such/dir/x").toString()), 2,
                    "does not exist");
            assertRefused(hyphae("add", "--data", dataA.toString(), work.resolve("missing").toString()), 2,
                    "no such file or folder");
            assertRefused(hyphae("tx-send", "--data", dataA.toString(), "not-a-peer", "5"), 2, "invalid peer id");
            assertRefused(hyphae("tx-send", "--data", dataA.toString(), idB, "-5"), 2, "the amount must be a whole number");
            assertRefused(hyphae("tx-send", "--data", dataA.toString(), idB, "999999999999999999"), 2, "does not cover");
            assertRefused(hyphae("tx-send", "--data", dataA.toString(), "--bogus", idB, "5"), 2, "unknown option --bogus");
            assertRefused(hyphae("frobnicate"), 2, "unknown command frobnicate");
            assertFalse(Files.exists(work.resolve("x")));

            // The control API itself: the token is required; bad requests are 4xx with a reason.
            String json = Files.readString(control);
            String url = json.replaceAll("(?s).*\"url\":\"([^\"]+)\".*", "$1");
            String token = json.replaceAll("(?s).*\"token\":\"([^\"]+)\".*", "$1");
            HttpClient http = HttpClient.newHttpClient();
            assertHttp(http, HttpRequest.newBuilder(URI.create(url + "status")).build(), 401, "missing or wrong token");
            assertHttp(http, HttpRequest.newBuilder(URI.create(url + "status")).header("Authorization", "Bearer 00" + token)
                    .build(), 401, "missing or wrong token");
            HttpRequest.Builder authorized = HttpRequest.newBuilder().header("Authorization", "Bearer " + token);
            assertHttp(http, authorized.copy().uri(URI.create(url + "add")).GET().build(), 405, "takes POST");
            assertHttp(http, authorized.copy().uri(URI.create(url + "nope")).GET().build(), 404, "no such command");
            assertHttp(http, authorized.copy().uri(URI.create(url + "add")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"path\": ")).build(), 400, "not valid JSON");
            assertHttp(http, authorized.copy().uri(URI.create(url + "add")).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), 415, "must be JSON");
            assertHttp(http, authorized.copy().uri(URI.create(url + "add")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"relative/x\"}")).build(), 400, "absolute path");

            // A clean stop removes the control file; a killed node leaves it, and the command says no node answers.
            assertEquals(143, a.terminate(120), a.output()); // 128 + SIGTERM, after a clean framework stop
            assertFalse(Files.exists(control), "control.json removed at stop");
            assertRefused(hyphae("status", "--data", dataA.toString()), 3, "no node is running with data directory");
            b.process().destroyForcibly().waitFor();
            assertTrue(Files.exists(dataB.resolve("control.json")));
            assertRefused(hyphae("status", "--data", dataB.toString()), 3, "no node answers at");
        }
    }

    private static void assertRefused(Run run, int exit, String reason) {
        assertEquals(exit, run.exit(), run.toString());
        assertTrue(run.err().contains(reason), "expected \"" + reason + "\" in " + run);
    }

    private static void assertHttp(HttpClient http, HttpRequest request, int status, String reason) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(status, r.statusCode(), request + ": " + r.body());
        assertTrue(r.body().contains("\"error\"") && r.body().contains(reason), request + ": " + r.body());
    }
}
