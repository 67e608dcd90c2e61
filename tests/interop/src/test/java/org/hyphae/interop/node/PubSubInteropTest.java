package org.hyphae.interop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.hyphae.interop.JsProcess;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * GossipSub between Hyphae's assembled node and unmodified js-libp2p with @libp2p/gossipsub 17, on
 * 127.0.0.1: two Hyphae nodes and two js nodes in a ring J1 - H1 - J2 - H2 - J1, so every message
 * has to be relayed across implementations both ways and arrives twice at the far side (which must
 * drop the copy). Every message published on either side reaches every subscriber on both sides
 * exactly once, and the js nodes' meshes hold Hyphae peers.
 */
class PubSubInteropTest {

    private static final String TOPIC = "hyphae-interop";
    /** Two 600-byte messages, over the size gossipsub v1.2 sends IDONTWANT for. */
    private static final List<String> BIG = List.of("big-H1-" + "h".repeat(600), "big-J1-" + "j".repeat(600));
    private static final Pattern DELIVERY = Pattern.compile("\\] " + Pattern.quote(TOPIC) + " from (\\S+): (\\S+)");

    @TempDir
    static Path work;
    static final Hy h1 = new Hy("H1");
    static final Hy h2 = new Hy("H2");
    static final Js j1 = new Js("J1");
    static final Js j2 = new Js("J2");

    /** A Hyphae node process driven through its shell. */
    static final class Hy {
        final String name;
        NodeProcess process;
        Writer shell;
        String id;
        String tcpAddr;

        Hy(String name) {
            this.name = name;
        }

        void start(Path home) throws Exception {
            Path dir = Files.createDirectories(work.resolve(name));
            process = NodeProcess.start(home, dir, "--port", "0");
            shell = process.stdin();
            id = process.awaitLine(l -> l.startsWith("PeerID: "), 60).substring(8).trim();
            process.awaitLine(l -> l.startsWith("Node ready in"), 60);
            tcpAddr = Stream.of(process.output().split("\n"))
                    .filter(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"))
                    .map(l -> l.substring("Swarm listening on ".length()).trim()).findFirst().orElseThrow();
        }

        void command(String line) throws IOException {
            shell.write(line + "\n");
            shell.flush();
        }

        /** Texts delivered to the shell subscription, with how often each arrived. */
        Map<String, Integer> deliveries() {
            Map<String, Integer> out = new HashMap<>();
            Matcher m = DELIVERY.matcher(process.output());
            while (m.find()) {
                String text = m.group(2);
                if (text.endsWith("...")) {
                    // The shell shortens long messages: map back to the large one it starts like.
                    String start = text.substring(0, text.length() - 3);
                    text = BIG.stream().filter(b -> b.startsWith(start)).findFirst().orElse(text);
                }
                out.merge(text, 1, Integer::sum);
            }
            return out;
        }
    }

    /** A js-libp2p node with gossipsub. */
    static final class Js {
        final String name;
        JsProcess process;
        String id;
        String addr;

        Js(String name) {
            this.name = name;
        }

        void start() {
            process = JsProcess.start("libp2p-gossip.mjs");
            JsonNode started = process.call("start");
            id = started.get("peerId").asText();
            addr = started.get("addrs").get(0).asText();
        }

        Map<String, Integer> deliveries() {
            Map<String, Integer> out = new HashMap<>();
            process.call("received", "topic", TOPIC).get("messages").forEach(m -> out.merge(m.get("text").asText(), 1, Integer::sum));
            return out;
        }

        List<String> mesh() {
            List<String> out = new ArrayList<>();
            process.call("meshPeers", "topic", TOPIC).get("peers").forEach(p -> out.add(p.asText()));
            return out;
        }
    }

    @BeforeAll
    static void startAll() throws Exception {
        Path home = NodeProcess.copyDistribution(work.resolve("node"));
        boolean inDistribution;
        try (Stream<Path> bundles = Files.list(home.resolve("bundles"))) {
            inDistribution = bundles.anyMatch(p -> p.getFileName().toString().startsWith("org.hyphae.pubsub.gossipsub"));
        }
        if (!inDistribution) {
            // Until the full node's bundle set includes it, the bundle goes in as a hot-deployed extension.
            Files.copy(Path.of(System.getProperty("hyphae.test.gossipsub")), home.resolve("deploy/gossipsub.jar"));
        }
        h1.start(home);
        h2.start(home);
        j1.start();
        j2.start();
        for (Hy h : List.of(h1, h2)) {
            awaitPubSub(h);
            h.command("hyphae:sub " + TOPIC);
            h.process.awaitLine(l -> l.contains("subscribed to " + TOPIC), 30);
        }
        for (Js j : List.of(j1, j2)) {
            j.process.call("subscribe", "topic", TOPIC);
        }
        // The ring: js dials Hyphae twice, Hyphae dials js twice.
        j1.process.call("dial", "addr", h1.tcpAddr);
        h1.command("hyphae:connect " + j2.addr);
        j2.process.call("dial", "addr", h2.tcpAddr);
        h2.command("hyphae:connect " + j1.addr);
        awaitMesh();
    }

    private static void awaitPubSub(Hy h) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        // "no topics", or the topics the node joined by itself (the ledger's): the command answers.
        while (!h.process.output().contains("no topics (hyphae:sub <topic> subscribes)")
                && !h.process.output().contains(" peer(s)")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(h.name + ": pubsub never came up; node printed:\n" + h.process.output());
            }
            h.command("hyphae:topics");
            Thread.sleep(500);
        }
    }

    /** Both js nodes have both their Hyphae neighbours in their mesh (GRAFTs accepted both ways). */
    private static void awaitMesh() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<String> m1 = j1.mesh();
            List<String> m2 = j2.mesh();
            if (m1.containsAll(List.of(h1.id, h2.id)) && m2.containsAll(List.of(h1.id, h2.id))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("js meshes never took in the Hyphae nodes: J1 " + m1 + ", J2 " + m2
                        + "\nH1 printed:\n" + h1.process.output() + "\nJ1 stderr:\n" + j1.process.stderr());
            }
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (Js j : List.of(j1, j2)) {
            if (j.process != null) {
                j.process.close();
            }
        }
        for (Hy h : List.of(h1, h2)) {
            if (h.process != null) {
                h.process.terminate(30);
                h.process.close();
            }
        }
    }

    @Test
    void everyMessageFromEitherSideReachesEverySubscriberExactlyOnce() throws Exception {
        int perNode = 3;
        List<String> all = new ArrayList<>();
        for (int k = 0; k < perNode; k++) {
            for (Hy h : List.of(h1, h2)) {
                String text = "from-" + h.name + "-" + k;
                all.add(text);
                h.command("hyphae:pub " + TOPIC + " " + text);
            }
            for (Js j : List.of(j1, j2)) {
                String text = "from-" + j.name + "-" + k;
                all.add(text);
                j.process.call("publish", "topic", TOPIC, "text", text);
            }
        }
        // Large messages (600 bytes): these are the ones gossipsub v1.2 announces with IDONTWANT.
        String bigH = BIG.get(0);
        String bigJ = BIG.get(1);
        all.add(bigH);
        all.add(bigJ);
        h1.command("hyphae:pub " + TOPIC + " " + bigH);
        j1.process.call("publish", "topic", TOPIC, "text", bigJ);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!complete(all)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not every message arrived: H1 " + h1.deliveries() + ", H2 " + h2.deliveries()
                        + ", J1 " + j1.deliveries() + ", J2 " + j2.deliveries() + "\nH1 printed:\n" + h1.process.output());
            }
            Thread.sleep(200);
        }
        // Three more heartbeats of gossip: nothing may arrive twice.
        Thread.sleep(3500);
        for (Hy h : List.of(h1, h2)) {
            // Hyphae's own subscriptions receive its own messages too.
            Map<String, Integer> got = h.deliveries();
            assertEquals(all.size(), got.size(), h.name + " got " + got);
            got.forEach((text, n) -> assertEquals(1, n, h.name + " got " + text + " " + n + " times"));
        }
        for (Js j : List.of(j1, j2)) {
            // js-libp2p does not deliver a node's own messages to itself (emitSelf is off).
            Map<String, Integer> got = j.deliveries();
            List<String> expected = all.stream().filter(t -> !t.startsWith("from-" + j.name + "-") && !t.startsWith("big-" + j.name + "-")).toList();
            assertEquals(expected.size(), got.size(), j.name + " got " + got);
            assertTrue(got.keySet().containsAll(expected), j.name + " got " + got);
            got.forEach((text, n) -> assertEquals(1, n, j.name + " got " + text + " " + n + " times"));
        }
        // Both sides speak gossipsub v1.2 (IDONTWANT): H1's stream to J1 negotiated /meshsub/1.2.0.
        h1.command("hyphae:pubsub");
        h1.process.awaitLine(l -> l.contains(j1.id) && l.contains("/meshsub/1.2.0"), 30);
        System.out.printf("[interop] gossipsub ring J1-H1-J2-H2 over /meshsub/1.2.0: %d messages (2 of 600 bytes), each "
                + "delivered once to each of 4 nodes%n", all.size());
    }

    private static boolean complete(List<String> all) {
        if (!h1.deliveries().keySet().containsAll(all) || !h2.deliveries().keySet().containsAll(all)) {
            return false;
        }
        for (Js j : List.of(j1, j2)) {
            List<String> expected = all.stream().filter(t -> !t.startsWith("from-" + j.name + "-") && !t.startsWith("big-" + j.name + "-")).toList();
            if (!j.deliveries().keySet().containsAll(expected)) {
                return false;
            }
        }
        return true;
    }
}
