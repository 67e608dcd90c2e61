package org.hyphae.tests.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.transport.ProtocolHandler;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;

/** A bundle copied into deploy/ is installed and started; deleting the file removes it. */
class HotDeployTest {

    private static final String FIXTURE = "org.hyphae.deploy.fixture";
    private static final long WAIT_SECONDS = 15;

    @InjectBundleContext
    BundleContext context;

    @Test
    void droppedBundleComesAndGoes(
            @InjectService(cardinality = 0, filter = "(hyphae.protocol=/hyphae-test/echo/1.0.0)")
            ServiceAware<ProtocolHandler> echo,
            @InjectService CommandProcessor shell) throws Exception {
        Path deploy = Path.of(context.getProperty("felix.fileinstall.dir"));
        Path fixture = Path.of(context.getProperty("hyphae.test.fixture"));
        assertTrue(Files.isRegularFile(fixture), "fixture jar " + fixture);
        assertTrue(echo.isEmpty(), "the fixture is not part of the node");

        Files.createDirectories(deploy);
        Path dropped = deploy.resolve("echo-extension.jar");
        // Copy then rename: fileinstall must never see a half-written jar.
        Path partial = Files.copy(fixture, deploy.resolve("echo-extension.jar.part"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(partial, dropped, StandardCopyOption.ATOMIC_MOVE);

        ProtocolHandler handler = echo.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertNotNull(handler, "the dropped bundle registered its protocol handler");
        Bundle bundle = fixtureBundle().orElseThrow();
        assertEquals(Bundle.ACTIVE, bundle.getState());
        assertTrue(NodeBundlesTest.run(shell, "fixture:echo hello-from-deploy").contains("hello-from-deploy"));

        Files.delete(dropped);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        // Felix takes the bundle out of the list before it marks it UNINSTALLED: wait for both.
        while ((fixtureBundle().isPresent() || bundle.getState() != Bundle.UNINSTALLED)
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(fixtureBundle().isEmpty(), "deleting the jar uninstalled the bundle");
        assertTrue(echo.isEmpty(), "its protocol handler is gone");
        assertEquals(Bundle.UNINSTALLED, bundle.getState());
    }

    private Optional<Bundle> fixtureBundle() {
        return Arrays.stream(context.getBundles()).filter(b -> FIXTURE.equals(b.getSymbolicName())).findFirst();
    }
}
