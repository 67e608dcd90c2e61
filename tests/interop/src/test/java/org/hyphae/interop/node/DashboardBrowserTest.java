package org.hyphae.interop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.hyphae.interop.JsProcess;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's HTTP face, as an operator's browser and scripts see it: /metrics in the Prometheus
 * text format, the JSON API refusing bad and cross-origin writes with a 4xx and a reason, and the
 * dashboard in headless Chromium (Debian's package, driven by playwright-core from npm) showing a
 * connected peer with its latency, the peer in the routing table, the chain's recent blocks and a
 * running fetch, and switching the storage area with its button; the test checks the screenshot.
 */
class DashboardBrowserTest {

    private static final long WAIT = 180;
    private static final int HEADER_RGB = 0x1b5e3b; // dashboard.css header background
    private static final String MISSING = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    @TempDir
    Path work;

    @Test
    void metricsApiAndDashboardInChromium() throws Exception {
        // No mDNS: nodes of other tests on this machine would join and change the counts checked here.
        for (String node : new String[] {"a", "b"}) {
            Files.writeString(Files.createDirectories(work.resolve(node + "/data/config"))
                    .resolve("org.hyphae.discovery.mdns.cfg"), "enabled=false\n");
        }
        try (NodeProcess a = NodeProcess.start(work.resolve("a"), "--port", "0");
                NodeProcess b = NodeProcess.start(work.resolve("b"), "--port", "0")) {
            String line = a.awaitLine(l -> l.startsWith("Dashboard on http://127.0.0.1:"), WAIT);
            URI dashboard = URI.create(line.substring("Dashboard on ".length()).trim());
            URI base = dashboard.resolve("/");
            String idA = a.awaitLine(l -> l.startsWith("PeerID: "), WAIT).substring(8).trim();
            String idB = b.awaitLine(l -> l.startsWith("PeerID: "), WAIT).substring(8).trim();
            String addressA = a.awaitLine(l -> l.startsWith("Swarm listening on ") && l.contains("/tcp/") && !l.contains("/ws"),
                    WAIT).substring("Swarm listening on ".length()).trim();
            a.awaitLine(l -> l.startsWith("Node ready in "), WAIT);
            b.awaitLine(l -> l.startsWith("Node ready in "), WAIT);
            b.command("hyphae:connect " + addressA, l -> l.contains("connected to " + idA) || l.contains("rror"), WAIT);

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> metrics = get(http, base.resolve("/metrics"));
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertTrue(metrics.body().contains("hyphae_connections{direction=\"inbound\",transport=\"tcp\",} 1.0"),
                    metrics.body());
            assertTrue(metrics.body().contains("hyphae_peers 1.0") && metrics.body().contains("jvm_threads_live_threads"),
                    metrics.body());
            assertTrue(metrics.body().contains("hyphae_blockstore_entries{kind=\"fs\",}"), metrics.body());
            assertEquals(405, send(http, post(base.resolve("/metrics"), "text/plain", "x", null)).statusCode());

            // Writes the API refuses, each with a reason.
            URI select = base.resolve("/api/select");
            String good = "{\"area\":\"blocks\",\"choice\":\"memory\"}";
            assertRefused(http, post(select, "application/json", good, "http://evil.example"), 403, "cross-origin write refused");
            assertRefused(http, post(select, "text/plain", good, null), 415, "must be JSON");
            assertRefused(http, post(select, "application/json", "{\"area\": ", null), 400, "not valid JSON");
            assertRefused(http, post(select, "application/json", "[1,2]", null), 400, "must be a JSON object");
            assertRefused(http, post(select, "application/json", "{\"area\":\"blocks\",\"choice\":\"nope\"}", null), 400,
                    "choices");
            assertRefused(http, post(select, "application/json", "{\"area\":\"ledger\",\"choice\":\"x\"}", null), 404,
                    "has no selector");
            assertRefused(http, post(select, "application/json", "{\"area\":\"blocks\",\"choice\":\"x\",\"y\":1}", null), 400,
                    "unknown field");
            assertRefused(http, HttpRequest.newBuilder(select).GET().build(), 405, "takes POST");
            assertRefused(http, post(select, "application/json", "{\"area\":\"" + "a".repeat(5000) + "\"}", null), 413,
                    "larger than");
            HttpResponse<String> status = get(http, base.resolve("/api/status"));
            assertEquals(200, status.statusCode());
            assertTrue(status.body().contains("\"peerId\":\"" + idA + "\"") && status.body().contains(idB), status.body());

            // The activity views: B in A's routing table, the chain's recent blocks, a fetch of a block
            // nobody has (through the command line) listed while it waits; bad queries refused.
            // The table takes in connected peers when a lookup runs (a refresh, or this one).
            a.commandOutput("hyphae:find-peer " + idB, WAIT);
            awaitBody(http, base.resolve("/api/routing"), "\"peerId\":\"" + idB + "\"");
            HttpResponse<String> chain = get(http, base.resolve("/api/chain?blocks=3"));
            assertEquals(200, chain.statusCode(), chain.body());
            assertTrue(chain.body().contains("\"engine\":\"poa\"") && chain.body().contains("\"recent\":[{\"height\":"),
                    chain.body());
            assertTrue(chain.body().split("\"hash\"").length - 1 <= 3, "at most the 3 blocks asked for: " + chain.body());
            assertRefused(http, HttpRequest.newBuilder(base.resolve("/api/chain?blocks=0")).GET().build(), 400, "from 1 to 100");
            assertRefused(http, HttpRequest.newBuilder(base.resolve("/api/chain?blocks=many")).GET().build(), 400, "whole number");
            assertRefused(http, HttpRequest.newBuilder(base.resolve("/api/chain?height=5")).GET().build(), 400,
                    "unknown parameter");
            assertRefused(http, post(base.resolve("/api/chain"), "application/json", "{}", null), 405, "read-only");
            assertRefused(http, post(base.resolve("/api/transfers"), "application/json", "{}", null), 405, "read-only");
            Process fetching = new ProcessBuilder(NodeProcess.distribution().resolve("bin/hyphae").toAbsolutePath().toString(),
                    "get", "--data", work.resolve("a/data").toString(), MISSING, work.resolve("never").toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("get.txt").toFile()).start();
            awaitBody(http, base.resolve("/api/transfers"), "\"root\":\"" + MISSING + "\",\"bytes\":0,\"total\":-1");

            // The dashboard in Chromium: B listed with a latency, blocks switched fs -> memory by its button.
            Path screenshot = work.resolve("dashboard.png");
            Path js = Path.of(System.getProperty(JsProcess.JS_DIR_PROPERTY, "js"));
            Process browser = new ProcessBuilder(System.getProperty(JsProcess.NODE_PROPERTY, "node"), "dashboard-browser.mjs",
                    dashboard.toString(), idB, "blocks", "memory", screenshot.toString(), MISSING)
                    .directory(js.toFile()).redirectErrorStream(true).start();
            String out = new String(browser.getInputStream().readAllBytes());
            assertTrue(browser.waitFor(WAIT, TimeUnit.SECONDS), out);
            System.out.println("[dashboard] " + out.strip());
            assertEquals(0, browser.exitValue(), out);
            assertTrue(out.contains("\"ok\":true") && out.contains("active storage kind is now memory"), out);
            assertTrue(out.contains("\"errors\":[]"), "no script errors on the page: " + out);
            assertTrue(out.contains("\"transferText\":\"" + MISSING + " ?0 B"), "the waiting fetch: " + out);
            assertTrue(out.contains("server mode)") && out.contains("engine poa"), "routing summary and chain head: " + out);
            assertTrue(out.matches("(?s).*\"blocks\":\\[\\d+(,\\d+){0,9}\\].*"), "recent blocks: " + out);
            fetching.destroyForcibly();
            assertTrue(a.commandOutput("hyphae:storage", WAIT).contains("active kind: memory"), "the switch reached the node");

            checkScreenshot(screenshot);
            a.terminate(30);
            b.terminate(30);
        }
    }

    /** The screenshot is the page as drawn: right size, the header's colour across the top, text below. */
    private static void checkScreenshot(Path png) throws Exception {
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1280, image.getWidth());
        assertEquals(900, image.getHeight());
        int header = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            if (close(image.getRGB(x, 10) & 0xffffff, HEADER_RGB)) {
                header++;
            }
        }
        assertTrue(header > image.getWidth() * 0.6, "header colour across the top: " + header + " px");
        Set<Integer> colours = new HashSet<>();
        int dark = 0;
        for (int y = 60; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff) < 200) {
                    dark++;
                }
            }
        }
        assertTrue(colours.size() > 30 && dark > 500, "text drawn below the header: " + colours.size() + " colours, "
                + dark + " dark samples");
    }

    private static boolean close(int rgb, int expected) {
        return Math.abs(((rgb >> 16) & 0xff) - ((expected >> 16) & 0xff)) < 8
                && Math.abs(((rgb >> 8) & 0xff) - ((expected >> 8) & 0xff)) < 8
                && Math.abs((rgb & 0xff) - (expected & 0xff)) < 8;
    }

    /** Polls a GET until its body holds {@code expected}. */
    private static void awaitBody(HttpClient http, URI uri, String expected) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        String body = "";
        while (System.nanoTime() < end) {
            HttpResponse<String> r = get(http, uri);
            body = r.body();
            if (r.statusCode() == 200 && body.contains(expected)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(uri + " never held " + expected + "; last: " + body);
    }

    private static void assertRefused(HttpClient http, HttpRequest request, int status, String reason) throws Exception {
        HttpResponse<String> response = send(http, request);
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains(reason), "reason \"" + reason + "\" in " + response.body());
    }

    private static HttpRequest post(URI uri, String type, String body, String origin) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            b.header("Origin", origin);
        }
        return b.build();
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return send(http, HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build());
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
