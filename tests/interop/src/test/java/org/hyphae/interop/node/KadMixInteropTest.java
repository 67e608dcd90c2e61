package org.hyphae.interop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.hyphae.interop.JsProcess;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A mixed DHT of two Hyphae node processes and three unmodified js-libp2p nodes (@libp2p/kad-dht 16)
 * on 127.0.0.1, each connected only to its neighbours in the chain H1 - J1 - H2 - J2 - J3: every
 * lookup from one end to the other crosses both implementations. Peers are found by id from both
 * ends, a value and a provider record put at one end are got at the other, both ways.
 */
class KadMixInteropTest {

    @TempDir
    static Path work;
    static KadNode h1;
    static KadNode h2;
    static JsProcess j1;
    static JsProcess j2;
    static JsProcess j3;
    static String j1Id;
    static String j1Addr;
    static String j2Id;
    static String j2Addr;
    static String j3Id;
    static String j3Addr;

    private static final Duration LONG = Duration.ofSeconds(90);

    @BeforeAll
    static void start() throws Exception {
        h1 = KadNode.start(work.resolve("h1"));
        h2 = KadNode.start(work.resolve("h2"));
        j1 = JsProcess.start("libp2p-kad.mjs");
        JsonNode s1 = j1.call("start");
        j1Id = s1.get("peerId").asText();
        j1Addr = withId(s1.get("addrs").get(0).asText(), j1Id);
        j2 = JsProcess.start("libp2p-kad.mjs");
        JsonNode s2 = j2.call("start");
        j2Id = s2.get("peerId").asText();
        j2Addr = withId(s2.get("addrs").get(0).asText(), j2Id);
        j3 = JsProcess.start("libp2p-kad.mjs");
        JsonNode s3 = j3.call("start");
        j3Id = s3.get("peerId").asText();
        j3Addr = withId(s3.get("addrs").get(0).asText(), j3Id);

        try {
            chain();
        } catch (Exception | AssertionError e) {
            // What the Hyphae nodes logged says why a js node would not take them into its table.
            throw new AssertionError(e.getMessage() + "\n--- h1 ---\n" + tail(h1) + "\n--- h2 ---\n" + tail(h2), e);
        }
    }

    private static String tail(KadNode node) {
        String out = node.process.output();
        return out.length() > 6000 ? out.substring(out.length() - 6000) : out;
    }

    private static void chain() throws Exception {
        // The chain, built from the far end so each joiner's bootstrap finds the part already there.
        j3.call("dial", "addr", j2Addr);
        j2.timeout(LONG).call("awaitPeer", "peer", j3Id, "waitMillis", 60_000);
        bootstrap(h2, j2Addr);
        j2.timeout(LONG).call("awaitPeer", "peer", h2.id.toString(), "waitMillis", 60_000);
        j1.call("dial", "addr", h2.addr);
        j1.timeout(LONG).call("awaitPeer", "peer", h2.id.toString(), "waitMillis", 60_000);
        bootstrap(h1, j1Addr);
        j1.timeout(LONG).call("awaitPeer", "peer", h1.id.toString(), "waitMillis", 60_000);
    }

    private static String withId(String addr, String id) {
        return addr.contains("/p2p/") ? addr : addr + "/p2p/" + id;
    }

    private static void bootstrap(KadNode node, String addr) throws Exception {
        String boot = node.command("hyphae:dht-bootstrap " + addr, l -> l.startsWith("BOOTSTRAPPED") || l.contains("dht-bootstrap failed"), 90);
        assertTrue(boot.startsWith("BOOTSTRAPPED"), boot);
    }

    @AfterAll
    static void stop() throws Exception {
        for (JsProcess js : new JsProcess[] {j1, j2, j3}) {
            if (js != null) {
                js.close();
            }
        }
        for (KadNode h : new KadNode[] {h1, h2}) {
            if (h != null) {
                h.close();
            }
        }
    }

    private static String cid(String text) {
        return Cid.v1(Multicodec.RAW, Multihash.sha2_256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toString();
    }

    @Test
    void peersAreFoundByIdFromEitherEndOfTheMix() throws Exception {
        for (String target : new String[] {j3Id, j2Id, h2.id.toString()}) {
            String found = h1.command("hyphae:find-peer " + target, l -> l.startsWith("FOUND") || l.startsWith("NOT FOUND"), 90);
            assertTrue(found.startsWith("FOUND " + target + " /ip4/127.0.0.1/tcp/"), found);
        }
        for (KadNode h : new KadNode[] {h1, h2}) {
            JsonNode byJs = j3.timeout(LONG).call("findPeer", "peer", h.id.toString());
            assertEquals(h.id.toString(), byJs.get("peer").asText());
            assertTrue(byJs.get("addrs").toString().contains(h.addr.replaceAll("/p2p/.*", "")), byJs.toString());
        }
    }

    @Test
    void aValuePutAtOneEndIsGotAtTheOther() throws Exception {
        JsonNode put = j3.timeout(LONG).call("putPk");
        String got = h1.command("hyphae:dht-get hex:" + put.get("key").asText(), l -> l.contains("VALUE hex:"), 120);
        assertEquals("VALUE hex:" + put.get("value").asText(), got);

        String hput = h1.command("hyphae:dht-put pk", l -> l.startsWith("PUT OK") || l.contains("dht-put failed"), 120);
        assertTrue(hput.startsWith("PUT OK hex:"), hput);
        String key = hput.substring("PUT OK hex:".length()).trim();
        JsonNode fromJs = j3.timeout(LONG).call("get", "key", key);
        assertEquals(HexFormat.of().formatHex(h1.id.publicKeyProtobuf().orElseThrow()), fromJs.get("value").asText());
    }

    @Test
    void aProviderAddedAtOneEndIsFoundAtTheOther() throws Exception {
        String byJs = cid("provided by j3 " + System.nanoTime());
        j3.timeout(LONG).call("provide", "cid", byJs);
        String found = h1.command("hyphae:providers " + byJs, l -> l.startsWith("PROVIDER ") || l.startsWith("PROVIDERS "), 120);
        assertTrue(found.startsWith("PROVIDER " + j3Id), found);

        String byHyphae = cid("provided by h1 " + System.nanoTime());
        String provided = h1.command("hyphae:provide " + byHyphae, l -> l.startsWith("PROVIDING") || l.contains("provide failed"), 120);
        assertTrue(provided.startsWith("PROVIDING"), provided);
        JsonNode providers = j3.timeout(LONG).call("findProviders", "cid", byHyphae);
        List<String> peers = new ArrayList<>();
        providers.get("providers").forEach(p -> peers.add(p.get("peer").asText()));
        assertTrue(peers.contains(h1.id.toString()), peers.toString());
    }
}
