package org.hyphae.interop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.interop.JsProcess;
import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Hyphae's assembled node (bin/hyphae, as a process) and an unmodified js-libp2p node on
 * 127.0.0.1: dials both ways over TCP and WebSocket, ping, identify, and a bulk transfer checked
 * byte for byte.
 */
class FullNodeInteropTest {

    private static final String ECHO = "/hyphae-test/echo/1.0.0";

    @TempDir
    static Path work;
    static Path home;
    static NodeProcess hyphae;
    static Writer shell;
    static PeerId hyphaeId;
    static List<String> hyphaeAddrs = new ArrayList<>();
    static JsProcess js;
    static String jsId;
    static List<String> jsAddrs = new ArrayList<>();

    @BeforeAll
    static void startBoth() throws Exception {
        // A private node folder: its deploy/ gets the echo extension once js is connected.
        home = NodeProcess.copyDistribution(work.resolve("node"));
        hyphae = NodeProcess.start(home, work, "--port", "0");
        shell = hyphae.stdin();
        hyphaeId = PeerId.parse(hyphae.awaitLine(l -> l.startsWith("PeerID: "), 60).substring(8).trim());
        hyphae.awaitLine(l -> l.startsWith("Node ready in"), 60);
        for (String line : hyphae.output().split("\n")) {
            if (line.startsWith("Swarm listening on /ip4/127.0.0.1/")) {
                hyphaeAddrs.add(line.substring("Swarm listening on ".length()).trim());
            }
        }
        assertTrue(hyphaeAddrs.stream().anyMatch(a -> a.contains("/ws/")), hyphae.output());
        assertTrue(hyphaeAddrs.stream().anyMatch(a -> !a.contains("/ws/")), hyphae.output());
    }

    @BeforeAll
    static void startJs() {
        js = JsProcess.start("libp2p-node.mjs");
        JsonNode started = js.call("start");
        jsId = started.get("peerId").asText();
        started.get("addrs").forEach(a -> jsAddrs.add(a.asText()));
    }

    @AfterAll
    static void stopBoth() throws Exception {
        if (js != null) {
            js.close();
        }
        if (hyphae != null) {
            hyphae.terminate(30);
            hyphae.close();
        }
    }

    private static String hyphaeAddr(boolean ws) {
        return hyphaeAddrs.stream().filter(a -> a.contains("/ws/") == ws).findFirst().orElseThrow();
    }

    private static String jsAddr(boolean ws) {
        return jsAddrs.stream().filter(a -> a.contains("/ws/") == ws).findFirst().orElseThrow();
    }

    @Test
    void jsDialsHyphaeOverTcpAndWebSocketAndPings() {
        for (boolean ws : new boolean[] {false, true}) {
            JsonNode dialled = js.call("dial", "addr", hyphaeAddr(ws));
            assertEquals(hyphaeId.toString(), dialled.get("peer").asText());
            double rtt = js.call("ping", "addr", hyphaeAddr(ws)).get("rtt").asDouble();
            assertTrue(rtt >= 0, "rtt " + rtt);
        }
    }

    @Test
    void jsSeesHyphaeProtocolsAndAddressesThroughIdentify() {
        js.call("dial", "addr", hyphaeAddr(false));
        JsonNode info = js.call("peerInfo", "peer", hyphaeId.toString());
        List<String> protocols = new ArrayList<>();
        info.get("protocols").forEach(p -> protocols.add(p.asText()));
        assertTrue(protocols.containsAll(List.of("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0")), protocols.toString());
        assertTrue(info.get("agent").asText().startsWith("hyphae/"), info.toString());
        List<String> addrs = new ArrayList<>();
        info.get("addrs").forEach(a -> addrs.add(a.asText()));
        assertTrue(addrs.stream().anyMatch(a -> a.startsWith("/ip4/127.0.0.1/tcp/")), addrs.toString());
    }

    @Test
    void hyphaeDialsJsOverTcpAndWebSocketAndPingsFromItsShell() throws Exception {
        for (boolean ws : new boolean[] {false, true}) {
            String target = jsAddr(ws);
            shell.write("hyphae:ping " + target + "\n");
            shell.flush();
            hyphae.awaitLine(l -> l.contains("PONG from " + jsId), 60);
        }
        shell.write("hyphae:peers\n");
        shell.flush();
        hyphae.awaitLine(l -> l.contains(jsId) && l.contains("agent=js-libp2p"), 30);
        // Hyphae sees js's protocols and listen addresses through identify.
        shell.write("hyphae:peer " + jsId + "\n");
        shell.flush();
        hyphae.awaitLine(l -> l.equals("speaks   /ipfs/ping/1.0.0") || l.endsWith(" speaks   /ipfs/ping/1.0.0"), 30);
        String jsTcp = jsAddr(false).substring(0, jsAddr(false).indexOf("/p2p/"));
        hyphae.awaitLine(l -> l.endsWith("listens  " + jsTcp), 30);
    }

    @Test
    void bulkTransferThroughHyphaeEchoIsByteForByteOverBothTransports() throws Exception {
        awaitEchoDeployed();
        for (boolean ws : new boolean[] {false, true}) {
            int size = 16 << 20;
            JsonNode result = js.timeout(java.time.Duration.ofSeconds(120)).call("echo", "addr", hyphaeAddr(ws), "size", size);
            assertEquals(size, result.get("bytes").asInt());
            System.out.printf("[interop] js -> hyphae echo over %s: %d MiB each way in %d ms%n",
                    ws ? "ws" : "tcp", size >> 20, result.get("millis").asLong());
        }
    }

    @Test
    void identifyPushTellsConnectedJsAboutAProtocolDeployedLater() throws Exception {
        awaitEchoDeployed();
    }

    /**
     * Deploys the echo extension (once) while js is connected, and waits until js knows of the
     * protocol. js-libp2p identifies a peer when a connection opens; on a connection that stays
     * open, only an identify push from Hyphae can tell it.
     */
    private static synchronized void awaitEchoDeployed() throws Exception {
        js.call("dial", "addr", hyphaeAddr(false));
        int connectionsBefore = js.call("connections").get("connections").size();
        Path dropped = home.resolve("deploy/echo-extension.jar");
        if (!Files.exists(dropped)) {
            Path partial = home.resolve("deploy/echo-extension.part");
            Files.copy(Path.of(System.getProperty("hyphae.test.fixture")), partial);
            Files.move(partial, dropped, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode info = js.call("peerInfo", "peer", hyphaeId.toString());
            if (info.get("protocols").toString().contains(ECHO)) {
                assertEquals(connectionsBefore, js.call("connections").get("connections").size(),
                        "learnt through push on the open connection, not by reconnecting");
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the echo extension never reached js through identify push; node printed:\n"
                + hyphae.output());
    }
}
