package org.hyphae.tests.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.identity.Identity;
import org.hyphae.ledger.Ledger;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;

/**
 * The consensus schedule in the real node: a chain of proof of authority to height 5 and proof of
 * work from 6. With the pow bundle uninstalled the node stops at 5 and says which bundle it needs
 * (status and {@code hyphae:chain}); the jar dropped into deploy/ starts, and the node mines on
 * (pow threads set through Config Admin before the bundle came); deleting the jar stops it again.
 */
class ConsensusHandoverInFrameworkTest {

    private static final String POW = "org.hyphae.consensus.pow";
    private static final long HANDOVER = 6;

    @InjectBundleContext
    BundleContext context;

    @Test
    void theNodeStopsAtTheHandoverWithoutTheEngineAndGoesOnWhenItsBundleIsDropped(
            @InjectService ConfigurationAdmin configAdmin, @InjectService Identity identity,
            @InjectService CommandProcessor shell,
            @InjectService(cardinality = 0) ServiceAware<Ledger> ledgers) throws Exception {
        Bundle installed = bundle(POW).orElseThrow(() -> new AssertionError("the full node has " + POW));
        String location = installed.getLocation().replaceFirst("^reference:", "");
        Path jar = location.startsWith("file:") ? Path.of(java.net.URI.create(location)) : Path.of(location);
        Path work = Files.createTempDirectory("handover");
        Path copy = Files.copy(jar, work.resolve("pow.jar"));
        installed.uninstall();
        awaitTrue("pow uninstalled", () -> bundle(POW).isEmpty());

        Path chain = work.resolve("chain.properties");
        Files.writeString(chain, "chain.id = handover-framework\n"
                + "genesis.time = " + (System.currentTimeMillis() - 60_000) + "\n"
                + "balance.self = 1000000\n"
                + "consensus.1.engine = poa\nconsensus.1.period = 200\nconsensus.1.signers = self\n"
                + "consensus." + HANDOVER + ".engine = pow\nconsensus." + HANDOVER + ".difficulty = 256\n"
                + "consensus." + HANDOVER + ".blockTime = 60000\nconsensus." + HANDOVER + ".window = 5\n");
        Configuration pow = configAdmin.getConfiguration(POW, "?");
        pow.update(new Hashtable<>(java.util.Map.of("threads", 1)));
        Configuration ledgerConfig = configAdmin.getConfiguration("org.hyphae.ledger", "?");
        // The ledger also takes the storage selection; memory, so that no chain outlives the test.
        Configuration storage = configAdmin.getConfiguration("org.hyphae.storage", "?");
        java.util.Dictionary<String, Object> storageBefore = storage.getProperties();
        Path deploy = Path.of(context.getProperty("felix.fileinstall.dir"));
        Path dropped = deploy.resolve("org.hyphae.consensus.pow.jar");
        try {
            Hashtable<String, Object> memory = new Hashtable<>();
            if (storageBefore != null) {
                java.util.Collections.list(storageBefore.keys()).forEach(k -> memory.put(k, storageBefore.get(k)));
            }
            memory.put("datastore.target", "(storage.kind=memory)");
            storage.update(memory);
            ledgerConfig.update(new Hashtable<>(java.util.Map.of("chainFile", chain.toString(), "syncIntervalMs", 500L)));
            Ledger ledger = ledgers.waitForService(TimeUnit.SECONDS.toMillis(30));
            if (ledger == null) {
                throw new AssertionError("no ledger service: " + ledgerComponent());
            }
            awaitTrue("the poa segment", () -> ledger.height() >= HANDOVER - 1);
            Thread.sleep(1500);
            assertEquals(HANDOVER - 1, ledger.height(), "nothing past the handover without its engine");
            assertEquals(Optional.of(POW), ledger.status().missingBundle());
            String said = NodeBundlesTest.run(shell, "hyphae:chain");
            assertTrue(said.contains("NOT INSTALLED") && said.contains(POW) && said.contains("from #" + HANDOVER), said);

            Files.createDirectories(deploy);
            Path partial = Files.copy(copy, deploy.resolve("org.hyphae.consensus.pow.jar.part"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, dropped, StandardCopyOption.ATOMIC_MOVE);
            awaitTrue("pow blocks after the drop", () -> ledger.height() >= HANDOVER + 3);
            assertEquals(41, ledger.block(HANDOVER).orElseThrow().header().seal().length, "a pow seal at the handover height");
            assertEquals(Optional.empty(), ledger.status().missingBundle());
            assertTrue(!NodeBundlesTest.run(shell, "hyphae:chain").contains("NOT INSTALLED"));
            assertEquals(identity.peerId(), ledger.block(HANDOVER).orElseThrow().header().proposer().orElseThrow());

            // hyphae:mine stops mining and starts it again, through Config Admin.
            String status = NodeBundlesTest.run(shell, "hyphae:mine");
            assertTrue(status.contains("mining on 1 thread"), status);
            String stop = NodeBundlesTest.run(shell, "hyphae:mine 0");
            assertTrue(stop.contains("mining stops"), stop);
            assertEquals(0, configAdmin.getConfiguration(POW, "?").getProperties().get("threads"), "kept in Config Admin");
            long deadline = System.currentTimeMillis() + 30_000;
            while (!NodeBundlesTest.run(shell, "hyphae:mine").contains("not mining")) {
                assertTrue(System.currentTimeMillis() < deadline, "the engine never took threads=0");
                Thread.sleep(50);
            }
            Thread.sleep(500); // a block found just before may still land
            long stopped = ledger.height();
            Thread.sleep(1500);
            assertEquals(stopped, ledger.height(), "no block while mining is stopped");
            String bad = NodeBundlesTest.run(shell, "hyphae:mine lots");
            assertTrue(bad.startsWith("usage:"), bad);
            NodeBundlesTest.run(shell, "hyphae:mine 1");
            awaitTrue("mining again", () -> ledger.height() >= stopped + 2);

            // The bundle goes again: mining stops, the node says so.
            Files.delete(dropped);
            awaitTrue("pow removed", () -> bundle(POW).isEmpty());
            long at = ledger.height();
            Thread.sleep(1500);
            assertTrue(ledger.height() <= at + 1, "no mining without the bundle: " + at + " then " + ledger.height());
            assertEquals(Optional.of(POW), ledger.status().missingBundle());
        } finally {
            Files.deleteIfExists(dropped);
            ledgerConfig.delete();
            pow.delete();
            if (storageBefore == null) {
                storage.delete();
            } else {
                storage.update(storageBefore);
            }
            if (bundle(POW).isEmpty()) {
                // Leave the node as it was for the other tests in this framework.
                context.installBundle(installed.getLocation()).start();
            }
        }
    }

    /** What SCR says of the ledger component, for a failure message. */
    private String ledgerComponent() {
        org.osgi.framework.ServiceReference<org.osgi.service.component.runtime.ServiceComponentRuntime> ref =
                context.getServiceReference(org.osgi.service.component.runtime.ServiceComponentRuntime.class);
        org.osgi.service.component.runtime.ServiceComponentRuntime scr = context.getService(ref);
        StringBuilder out = new StringBuilder();
        scr.getComponentDescriptionDTOs().stream().filter(d -> d.name.contains("LedgerService")).forEach(d -> {
            for (org.osgi.service.component.runtime.dto.ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                out.append("state ").append(c.state).append(' ').append(c.failure);
                for (org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                    out.append(" unsatisfied ").append(u.name).append(' ').append(u.target);
                }
            }
        });
        context.ungetService(ref);
        return out.length() == 0 ? "no configuration of LedgerService" : out.toString();
    }

    private Optional<Bundle> bundle(String name) {
        return Arrays.stream(context.getBundles()).filter(b -> name.equals(b.getSymbolicName()) && b.getState() != Bundle.UNINSTALLED)
                .findFirst();
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
