package org.hyphae.interop.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

import org.hyphae.interop.JsProcess;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mDNS against an unmodified js-libp2p node with {@code @libp2p/mdns} 12 (for libp2p 3.x), both on
 * the real group 224.0.0.251:5353 of this machine: the js node discovers the assembled Hyphae node
 * from Hyphae's responses, Hyphae puts the js node in its peer store from js's responses (source
 * {@code mdns}), and Hyphae's dialer then connects to it.
 */
class MdnsInteropTest {

    @TempDir
    static Path work;
    private static final AtomicInteger MARK = new AtomicInteger();

    @Test
    void jsLibp2pAndHyphaeFindEachOther() throws Exception {
        Path dir = Files.createDirectories(work.resolve("hyphae"));
        try (NodeProcess node = NodeProcess.start(dir, "--port", "0");
                JsProcess js = JsProcess.start("libp2p-mdns.mjs")) {
            String hyphaeId = node.awaitLine(l -> l.startsWith("PeerID: "), 120).substring(8).trim();
            node.awaitLine(l -> l.startsWith("Node ready in"), 120);
            List<String> hyphaeAddrs = new ArrayList<>();
            for (String line : node.output().split("\n")) {
                if (line.startsWith("Swarm listening on /ip4/127.0.0.1/")) {
                    hyphaeAddrs.add(line.substring("Swarm listening on ".length()).trim().replace("/p2p/" + hyphaeId, ""));
                }
            }
            JsonNode started = js.call("start", "interval", 1000);
            String jsId = started.get("peerId").asText();
            String jsAddr = started.get("addrs").get(0).asText().replace("/p2p/" + jsId, "");

            // js finds Hyphae.
            JsonNode found = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (found == null && System.nanoTime() < deadline) {
                JsonNode e = js.awaitEvent("discovered", Duration.ofSeconds(90));
                if (e.get("peer").asText().equals(hyphaeId)) {
                    found = e;
                }
            }
            assertTrue(found != null, "js never discovered Hyphae; js said:\n" + js.stderr());
            List<String> announced = new ArrayList<>();
            found.get("addrs").forEach(a -> announced.add(a.asText()));
            assertTrue(announced.containsAll(hyphaeAddrs), "js got " + announced + ", Hyphae listens on " + hyphaeAddrs);

            // Hyphae finds js: in its peer store, from mdns, at the address js listens on.
            String record = "";
            deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                record = command(node, "hyphae:peerstore " + jsId, 30);
                if (record.lines().anyMatch(l -> l.startsWith("ADDR " + jsAddr + " ") && l.contains("mdns"))) {
                    break;
                }
                Thread.sleep(1000);
            }
            final String r = record;
            assertTrue(r.lines().anyMatch(l -> l.startsWith("ADDR " + jsAddr + " ") && l.contains("mdns")),
                    "Hyphae's record of " + jsId + " (listening on " + jsAddr + "):\n" + r);

            // The dialer (low 8 by default) connects to the peer mDNS found.
            boolean connected = false;
            deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!connected && System.nanoTime() < deadline) {
                JsonNode peers = js.call("connections").get("peers");
                for (JsonNode p : peers) {
                    connected |= p.asText().equals(hyphaeId);
                }
                Thread.sleep(1000);
            }
            assertTrue(connected, "Hyphae never connected to the js peer it found; node printed:\n" + node.output());
            // The peer store reads identify results every few seconds.
            String after = "";
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!after.contains("AGENT js-libp2p/") && System.nanoTime() < deadline) {
                after = command(node, "hyphae:peerstore " + jsId, 30);
                Thread.sleep(1000);
            }
            assertTrue(after.contains("AGENT js-libp2p/"), "identify fed the peer store:\n" + after);
            assertTrue(after.contains("PROTOCOL /ipfs/ping/1.0.0"), after);
            node.terminate(60);
        }
    }

    /** Runs a shell command; returns what it printed. */
    static String command(NodeProcess node, String line, long seconds) throws Exception {
        int before = node.output().split("\n").length;
        Writer shell = node.stdin();
        String mark = "mdns-mark-" + MARK.incrementAndGet();
        shell.write(line + "\n" + "echo " + mark + "\n");
        shell.flush();
        node.awaitLine(l -> l.contains(mark) && !l.contains("echo"), seconds);
        String[] lines = node.output().split("\n");
        StringBuilder out = new StringBuilder();
        for (int i = before; i < lines.length; i++) {
            out.append(lines[i].replaceFirst("^g! ", "")).append('\n');
        }
        return out.toString();
    }
}
