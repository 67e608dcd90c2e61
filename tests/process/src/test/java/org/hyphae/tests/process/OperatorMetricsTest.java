package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics of issue 10 that need a working node, each read from {@code /metrics} of two node
 * processes after the work that moves it: chain height and tx/s after a transfer, block store
 * bytes after an add and a get, DHT lookup latency (a histogram) after a lookup, and a running
 * fetch's bytes and total while it waits for a block nobody has.
 */
class OperatorMetricsTest {

    private static final String MISSING = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();

    private Process hyphae(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(NodeProcess.distribution().resolve("bin/hyphae").toAbsolutePath().toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile(work, "cli", ".txt").toFile()).start();
    }

    private int run(String... args) throws Exception {
        Process p = hyphae(args);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "hyphae " + String.join(" ", args) + " ended");
        return p.exitValue();
    }

    private static String metricsUrl(NodeProcess node) throws InterruptedException {
        String line = node.awaitLine(l -> l.startsWith("Metrics on http://127.0.0.1:"), 300);
        return line.substring("Metrics on ".length()).trim();
    }

    private String scrape(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** The value of the series whose line starts with {@code series} (name and labels as Prometheus prints them). */
    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }

    private static PeerId randomPeer() {
        byte[] seed = new byte[32];
        new Random(7).nextBytes(seed);
        return PeerId.fromEd25519PublicKey(new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded());
    }

    @Test
    @Timeout(1200)
    void chainStoreDhtAndTransferMetricsShowTheWorkDone() throws Exception {
        Path dataA = work.resolve("a");
        Path dataB = work.resolve("b");
        try (NodeProcess a = NodeProcess.start(work, "--port", "0", "--data", dataA.toString());
                NodeProcess b = NodeProcess.start(work, "--port", "0", "--data", dataB.toString())) {
            String metricsA = metricsUrl(a);
            String metricsB = metricsUrl(b);
            String idB = b.awaitLine(l -> l.startsWith("PeerID: "), 300).substring("PeerID: ".length()).trim();
            String addressA = a.awaitLine(l -> l.contains("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"), 300);
            a.awaitLine(l -> l.contains("Node ready in "), 300);
            b.awaitLine(l -> l.contains("Node ready in "), 300);
            while (!Files.exists(dataA.resolve("control.json")) || !Files.exists(dataB.resolve("control.json"))) {
                Thread.sleep(200);
            }
            b.command("hyphae:connect " + addressA.substring(addressA.indexOf("/ip4/")).trim(), l -> l.contains("connected to"), 120);

            byte[] content = new byte[3 * 1024 * 1024];
            new Random(5).nextBytes(content);
            Path file = work.resolve("content.bin");
            Files.write(file, content);
            Process add = hyphae("add", "--data", dataA.toString(), file.toString());
            assertTrue(add.waitFor(300, TimeUnit.SECONDS));
            assertEquals(0, add.exitValue());
            String cid = a.commandOutput("hyphae:ls", 60).lines().filter(l -> l.contains("content.bin")).findFirst()
                    .orElseThrow().split("\\s+")[0];
            assertEquals(0, run("get", "--data", dataB.toString(), cid, work.resolve("fetched.bin").toString()));
            assertEquals(0, run("tx-send", "--data", dataA.toString(), idB, "1000"));

            String textA = scrape(metricsA);
            double height = value(textA, "hyphae_ledger_height{engine=\"poa\",}");
            assertTrue(height >= 1, "height " + height);
            double txPerSecond = value(textA, "hyphae_ledger_transactions_per_second");
            assertTrue(txPerSecond > 0 && txPerSecond < 1000, "one transfer in the last blocks: " + txPerSecond + " tx/s");
            assertEquals(0, value(textA, "hyphae_ledger_pending_transactions"));
            assertTrue(value(textA, "hyphae_blockstore_bytes{kind=\"fs\",}") >= content.length, textA);
            double height2 = value(scrape(metricsA), "hyphae_ledger_height{engine=\"poa\",}");
            assertTrue(height2 >= height, "the height does not go back");

            // A lookup on B (its table holds A), then B's lookup latency histogram.
            String found = b.commandOutput("hyphae:find-peer " + randomPeer(), 120);
            assertTrue(found.contains("NOT FOUND"), found);
            String textB = scrape(metricsB);
            assertTrue(textB.contains("# TYPE hyphae_dht_lookup_seconds histogram"), textB);
            double lookups = value(textB, "hyphae_dht_lookup_seconds_count");
            double seconds = value(textB, "hyphae_dht_lookup_seconds_sum");
            assertTrue(lookups >= 1 && seconds > 0 && seconds < 120 * lookups, lookups + " lookups, " + seconds + " s");
            assertEquals(lookups, value(textB, "hyphae_dht_lookup_seconds_bucket{le=\"+Inf\",}"));
            assertTrue(value(textB, "hyphae_blockstore_bytes{kind=\"fs\",}") >= content.length, textB);
            assertEquals(0, value(textB, "hyphae_transfers_active"));

            // A fetch of a block nobody has waits (up to Bitswap's want timeout): listed with its progress meanwhile.
            Process stuck = hyphae("get", "--data", dataB.toString(), MISSING, work.resolve("never").toString());
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                String during = scrape(metricsB);
                while (!during.contains("hyphae_transfers_active 1.0") && System.nanoTime() < end) {
                    Thread.sleep(200);
                    during = scrape(metricsB);
                }
                assertEquals(1, value(during, "hyphae_transfers_active"), during);
                assertEquals(0, value(during, "hyphae_transfer_fetched_bytes{root=\"" + MISSING + "\",}"));
                assertEquals(-1, value(during, "hyphae_transfer_total_bytes{root=\"" + MISSING + "\",}"));
            } finally {
                stuck.destroyForcibly();
            }
        }
    }
}
