package org.hyphae.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LaunchOptionsTest {
    private static final Path HOME = Path.of("/opt/hyphae");

    @Test
    void defaults() {
        LaunchOptions options = LaunchOptions.parse(List.of(), HOME);
        assertEquals(Path.of("data").toAbsolutePath(), options.data());
        assertEquals(4001, options.port());
        assertFalse(options.headless());
        assertEquals("0.0.0.0", options.listenHost());
        assertEquals(5001, options.httpPort());
    }

    @Test
    void httpPortFollowsAFreeListenPortUnlessGiven() {
        assertEquals(0, LaunchOptions.parse(List.of("--port", "0"), HOME).httpPort());
        assertEquals(8080, LaunchOptions.parse(List.of("--port", "0", "--http-port", "8080"), HOME).httpPort());
        assertEquals("127.0.0.1", Main.frameworkProperties(LaunchOptions.parse(List.of("--http-port", "8080"), HOME))
                .get("org.apache.felix.http.host"), "HTTP stays on loopback whatever --listen says");
        assertEquals("--http-port must be a number from 0 to 65535, got \"x\"", assertThrows(
                IllegalArgumentException.class, () -> LaunchOptions.parse(List.of("--http-port", "x"), HOME)).getMessage());
    }

    @Test
    void allOptions() {
        LaunchOptions options = LaunchOptions.parse(
                List.of("--data", "/tmp/n1", "--port", "0", "--headless", "--listen", "127.0.0.1"), HOME);
        assertEquals("127.0.0.1", options.listenHost());
        assertEquals(Path.of("/tmp/n1"), options.data());
        assertEquals(0, options.port());
        assertTrue(options.headless());
    }

    @Test
    void badInputIsExplained() {
        assertEquals("--port must be a number from 0 to 65535, got \"70000\"", assertThrows(
                IllegalArgumentException.class, () -> LaunchOptions.parse(List.of("--port", "70000"), HOME)).getMessage());
        assertEquals("--data needs a value", assertThrows(
                IllegalArgumentException.class, () -> LaunchOptions.parse(List.of("--data"), HOME)).getMessage());
        assertEquals("--listen must be an IP address such as 127.0.0.1 or ::1, got \"localhost\"", assertThrows(
                IllegalArgumentException.class, () -> LaunchOptions.parse(List.of("--listen", "localhost"), HOME)).getMessage());
        assertEquals("unknown option --verbose", assertThrows(
                IllegalArgumentException.class, () -> LaunchOptions.parse(List.of("--verbose"), HOME)).getMessage());
    }

    @Test
    void frameworkGetsDataPortAndWatchedFolders() {
        Map<String, String> properties = Main.frameworkProperties(
                LaunchOptions.parse(List.of("--data", "/tmp/n1", "--port", "4100", "--headless"), HOME));
        assertEquals("/tmp/n1", properties.get("hyphae.data"));
        assertEquals("4100", properties.get("hyphae.port"));
        assertEquals("/opt/hyphae/deploy,/tmp/n1/config", properties.get("felix.fileinstall.dir"));
        assertEquals("--nointeractive", properties.get("gosh.args"));
    }
}
