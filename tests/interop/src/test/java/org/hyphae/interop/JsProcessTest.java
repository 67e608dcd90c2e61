package org.hyphae.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: requests, errors, process lifetime, and the missing-packages message. */
class JsProcessTest {

    @Test
    void answersRequestsAndSurvivesBadOnes() {
        try (JsProcess js = JsProcess.start("multiformats-oracle.mjs")) {
            assertTrue(js.call("ping").get("pong").asBoolean());

            JsProcess.JsCallException unknown = assertThrows(JsProcess.JsCallException.class, () -> js.call("noSuchOp"));
            assertTrue(unknown.error().contains("unknown op"), unknown.getMessage());

            JsonNode badHex = js.send("multiaddrFromBytes", "hex", "not hex");
            assertFalse(badHex.get("ok").asBoolean());
            assertTrue(badHex.get("error").asText().contains("hex"), badHex.toString());

            JsonNode badAddress = js.send("multiaddr", "text", "/ip4/999.1.1.1/tcp/1");
            assertFalse(badAddress.get("ok").asBoolean(), badAddress.toString());

            JsonNode missingArgument = js.send("cid");
            assertFalse(missingArgument.get("ok").asBoolean(), missingArgument.toString());

            assertTrue(js.isAlive());
            assertEquals("/ip4/127.0.0.1/tcp/1", js.call("multiaddr", "text", "/ip4/127.0.0.1/tcp/1").get("text").asText());
        }
    }

    @Test
    void closeEndsTheProcess() throws Exception {
        JsProcess js = JsProcess.start("multiformats-oracle.mjs");
        ProcessHandle handle = ProcessHandle.of(js.pid()).orElseThrow();
        js.close();
        handle.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(handle.isAlive());
        assertThrows(IllegalStateException.class, () -> js.timeout(Duration.ofSeconds(2)).call("ping"));
    }

    @Test
    void missingNpmPackagesAreAFailureThatSaysWhatToRun(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("package.json"), "{}");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JsProcess.checkJsDir(dir));
        assertTrue(e.getMessage().contains("npm ci"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void theConfiguredJsFolderHasItsPackages() {
        Path dir = JsProcess.jsDir();
        assertTrue(Files.isDirectory(dir.resolve("node_modules/libp2p")), "libp2p is installed in " + dir);
        assertTrue(Files.isRegularFile(dir.resolve(JsProcess.SHIM)));
    }
}
