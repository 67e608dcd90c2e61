package org.hyphae.interop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.hyphae.identity.PeerId;
import org.hyphae.interop.JsProcess;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Kademlia DHT between Hyphae's assembled node and two unmodified js-libp2p nodes with
 * @libp2p/kad-dht 16 on 127.0.0.1 (J1 - H - and J2 - J1): values and provider records put on either
 * side are got from the other, and peers are found by id across the mix.
 */
class KadInteropTest {

    @TempDir
    static Path work;
    static NodeProcess hyphae;
    static Writer shell;
    static PeerId hyphaeId;
    static String hyphaeAddr;
    static JsProcess js1;
    static JsProcess js2;
    static String js1Id;
    static String js2Id;
    static String js1Addr;
    /** Put and provided by J2 before Hyphae joins, so Hyphae must fetch them over the wire. */
    static JsonNode earlyValue;
    static String earlyCid;
    private static final AtomicInteger MARK = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path home = NodeProcess.copyDistribution(work.resolve("node"));
        boolean inDistribution;
        try (Stream<Path> bundles = Files.list(home.resolve("bundles"))) {
            inDistribution = bundles.anyMatch(p -> p.getFileName().toString().startsWith("org.hyphae.discovery.kad"));
        }
        if (!inDistribution) {
            // Until the full node's bundle set includes it, the DHT goes in as a hot-deployed extension.
            Files.copy(Path.of(System.getProperty("hyphae.test.kad")), home.resolve("deploy/discovery-kad.jar"));
        }
        hyphae = NodeProcess.start(home, Files.createDirectories(work.resolve("hyphae")), "--port", "0");
        shell = hyphae.stdin();
        hyphaeId = PeerId.parse(hyphae.awaitLine(l -> l.startsWith("PeerID: "), 60).substring(8).trim());
        hyphae.awaitLine(l -> l.startsWith("Node ready in"), 60);
        hyphaeAddr = Stream.of(hyphae.output().split("\n"))
                .filter(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"))
                .map(l -> l.substring("Swarm listening on ".length()).trim()).findFirst().orElseThrow();
        // The hot-deployed bundle starts within a second or so: wait for its command.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            String out = command("hyphae:routing-table", l -> l.startsWith("ROUTING TABLE") || l.contains("routing-table"), 10);
            if (out.startsWith("ROUTING TABLE")) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the kad bundle never started; node printed:\n" + hyphae.output());
            }
            Thread.sleep(500);
        }

        js1 = JsProcess.start("libp2p-kad.mjs");
        JsonNode s1 = js1.call("start");
        js1Id = s1.get("peerId").asText();
        js1Addr = s1.get("addrs").get(0).asText();
        js2 = JsProcess.start("libp2p-kad.mjs");
        js2Id = js2.call("start").get("peerId").asText();
        js2.call("dial", "addr", js1Addr);
        js2.call("awaitPeer", "peer", js1Id);
        earlyValue = js2.timeout(Duration.ofSeconds(60)).call("putPk");
        earlyCid = cid("provided by js before hyphae joined");
        js2.timeout(Duration.ofSeconds(60)).call("provide", "cid", earlyCid);

        String boot = command("hyphae:dht-bootstrap " + js1Addr + (js1Addr.contains("/p2p/") ? "" : "/p2p/" + js1Id),
                l -> l.startsWith("BOOTSTRAPPED") || l.contains("dht-bootstrap failed"), 90);
        assertTrue(boot.startsWith("BOOTSTRAPPED"), boot);
        js1.call("awaitPeer", "peer", hyphaeId.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        for (JsProcess js : new JsProcess[] {js1, js2}) {
            if (js != null) {
                js.close();
            }
        }
        if (hyphae != null) {
            hyphae.terminate(30);
            hyphae.close();
        }
    }

    /**
     * Runs a shell command and returns the first line it printed that matches. Each command is
     * followed by an echo of a unique mark, so lines from earlier commands are never taken.
     */
    private static synchronized String command(String line, java.util.function.Predicate<String> match, long seconds)
            throws IOException, InterruptedException {
        int before = hyphae.output().split("\n").length;
        shell.write(line + "\n");
        shell.flush();
        String mark = "kad-mark-" + MARK.incrementAndGet();
        shell.write("echo " + mark + "\n");
        shell.flush();
        hyphae.awaitLine(l -> l.contains(mark) && !l.contains("echo"), seconds);
        String[] lines = hyphae.output().split("\n");
        for (int i = before; i < lines.length; i++) {
            String l = lines[i].replaceFirst("^g! ", "");
            if (match.test(l)) {
                return l;
            }
        }
        return String.join("\n", java.util.Arrays.asList(lines).subList(before, lines.length));
    }

    private static String cid(String text) {
        return Cid.v1(Multicodec.RAW, Multihash.sha2_256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toString();
    }

    @Test
    void aValuePutByJsIsGotByHyphae() throws Exception {
        JsonNode put = earlyValue;
        String got = command("hyphae:dht-get hex:" + put.get("key").asText(), l -> l.contains("VALUE hex:"), 90);
        assertEquals("VALUE hex:" + put.get("value").asText(), got);
    }

    @Test
    void aValuePutByHyphaeIsGotByJs() throws Exception {
        String put = command("hyphae:dht-put pk", l -> l.startsWith("PUT OK") || l.contains("dht-put failed"), 90);
        assertTrue(put.startsWith("PUT OK hex:"), put);
        String key = put.substring("PUT OK hex:".length()).trim();
        byte[] expected = hyphaeId.publicKeyProtobuf().orElseThrow();
        JsonNode stored = js2.timeout(Duration.ofSeconds(60)).call("get", "key", key);
        assertEquals(HexFormat.of().formatHex(expected), stored.get("value").asText(), "J2 stored Hyphae's PUT_VALUE");
        // A js node that joins afterwards, knowing only Hyphae, gets it through GET_VALUE.
        JsonNode got;
        String js3Id;
        try (JsProcess js3 = JsProcess.start("libp2p-kad.mjs")) {
            js3Id = js3.call("start").get("peerId").asText();
            js3.call("dial", "addr", hyphaeAddr);
            js3.call("awaitPeer", "peer", hyphaeId.toString());
            got = js3.timeout(Duration.ofSeconds(60)).call("get", "key", key);
        }
        assertEquals(HexFormat.of().formatHex(expected), got.get("value").asText());
        // J3 held no copy: the value came over the wire, from Hyphae or from a js node that J3 learnt
        // of through Hyphae's closer peers (js stops at the first answer, so which one races).
        for (JsonNode v : got.get("from")) {
            assertTrue(!v.get("peer").asText().equals(js3Id), got.toString());
            assertEquals(HexFormat.of().formatHex(expected), v.get("value").asText());
        }
        System.out.println("[interop] js GET_VALUE of Hyphae's record answered by " + got.get("from")
                + (got.get("from").toString().contains(hyphaeId.toString()) ? " (Hyphae)" : " (a js node)"));
    }

    @Test
    void aProviderAddedByJsIsFoundByHyphae() throws Exception {
        // Announced before Hyphae joined: found through GET_PROVIDERS to the js nodes.
        String found = command("hyphae:providers " + earlyCid, l -> l.startsWith("PROVIDER ") || l.startsWith("PROVIDERS "), 90);
        assertTrue(found.startsWith("PROVIDER " + js2Id), found);
        // And one announced while Hyphae is in the network (Hyphae among the closest peers stores it).
        String cid = cid("provided by js " + System.nanoTime());
        js2.timeout(Duration.ofSeconds(60)).call("provide", "cid", cid);
        found = command("hyphae:providers " + cid, l -> l.startsWith("PROVIDER ") || l.startsWith("PROVIDERS "), 90);
        assertTrue(found.startsWith("PROVIDER " + js2Id), found);
    }

    @Test
    void aProviderAddedByHyphaeIsFoundByJs() throws Exception {
        String cid = cid("provided by hyphae " + System.nanoTime());
        String provided = command("hyphae:provide " + cid, l -> l.startsWith("PROVIDING") || l.contains("provide failed"), 90);
        assertTrue(provided.startsWith("PROVIDING"), provided);
        JsonNode found = js2.timeout(Duration.ofSeconds(60)).call("findProviders", "cid", cid);
        List<String> peers = new ArrayList<>();
        found.get("providers").forEach(p -> peers.add(p.get("peer").asText()));
        assertTrue(peers.contains(hyphaeId.toString()), peers.toString());
    }

    @Test
    void peersAreFoundByIdAcrossTheMix() throws Exception {
        // Hyphae is connected only to J1; J2 is found through the DHT.
        String found = command("hyphae:find-peer " + js2Id, l -> l.startsWith("FOUND") || l.startsWith("NOT FOUND"), 90);
        assertTrue(found.startsWith("FOUND " + js2Id + " /ip4/127.0.0.1/tcp/"), found);
        JsonNode byJs = js2.timeout(Duration.ofSeconds(60)).call("findPeer", "peer", hyphaeId.toString());
        assertEquals(hyphaeId.toString(), byJs.get("peer").asText());
        assertTrue(byJs.get("addrs").toString().contains(hyphaeAddr.replaceAll("/p2p/.*", "")), byJs.toString());
    }
}
