package org.hyphae.tests.framework;

import static org.hyphae.tests.framework.NodeBundlesTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Ledger;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The ledger and the poa engine in the node's own framework: configured with a chain file where
 * this node is the only signer, it makes blocks; {@code hyphae:vote <peer> add} stores the vote
 * in Config Admin, the next sealed block carries it and (one signer of one agreeing) the peer is a
 * signer, as {@code hyphae:signers} shows; bad arguments are refused with the reason.
 */
class LedgerInFrameworkTest {

    @InjectBundleContext
    BundleContext context;

    private static final java.util.concurrent.atomic.AtomicReference<String> DIAGNOSTIC = new java.util.concurrent.atomic.AtomicReference<>("");

    @Test
    void aVoteFromTheShellAddsASigner(@InjectService ConfigurationAdmin admin, @InjectService CommandProcessor shell,
            @InjectService Identity identity) throws Exception {
        Path dir = Files.createTempDirectory("hyphae-ledger-framework");
        Path chainFile = dir.resolve("chain.properties");
        Files.writeString(chainFile, "chain.id = framework-vote-" + System.nanoTime() + "\ngenesis.time = " + (System.currentTimeMillis() - 5000)
                + "\nbalance.self = 1000000\nconsensus.1.engine = poa\nconsensus.1.period = 200\nconsensus.1.wiggle = 100\n"
                + "consensus.1.signers = self\n");
        // The ledger follows the storage selection PID too, and runs only when both are there.
        Configuration[] selection = admin.listConfigurations("(service.pid=org.hyphae.storage)");
        Configuration storageConfig = null;
        if (selection == null || selection.length == 0) {
            storageConfig = admin.getConfiguration("org.hyphae.storage", "?");
            storageConfig.update(new Hashtable<>());
        }
        Configuration ledgerConfig = admin.getConfiguration("org.hyphae.ledger", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("chainFile", chainFile.toString());
        ledgerConfig.update(props);
        ServiceTracker<Ledger, Ledger> tracker = new ServiceTracker<>(context, Ledger.class, null);
        tracker.open();
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 0x42);
        PeerId newcomer = PeerId.fromEd25519PublicKey(key);
        try {
            Ledger ledger = tracker.waitForService(60_000);
            assertTrue(ledger != null, "the ledger runs once configured");
            await("two blocks", () -> ledger.height() >= 2);

            assertTrue(run(shell, "hyphae:vote not-a-peer add").contains("not a peer id: not-a-peer"));
            assertTrue(run(shell, "hyphae:vote " + newcomer + " maybe").contains("usage: hyphae:vote"));
            String before = run(shell, "hyphae:signers");
            assertTrue(before.contains(identity.peerId() + "") && !before.contains(newcomer.toString()), before);

            String voted = run(shell, "hyphae:vote " + newcomer + " add");
            assertTrue(voted.contains("votes of " + identity.peerId() + ": add:" + newcomer), voted);
            Configuration poa = admin.getConfiguration("org.hyphae.consensus.poa", "?");
            assertArrayEquals(new String[] {"add:" + newcomer}, (String[]) poa.getProperties().get("votes"), "the vote is kept in Config Admin");

            long votedAt = ledger.height();
            await("the vote passed (voted at #" + votedAt + ")", () -> {
                try {
                    String sg = run(shell, "hyphae:signers");
                    DIAGNOSTIC.set(sg + run(shell, "hyphae:chain"));
                    return sg.contains("\n  " + newcomer);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String after = run(shell, "hyphae:signers");
            assertTrue(after.contains("signers at #") && after.contains("(2; a signer may seal one in 2 blocks)"), after);
            String withdrawn = run(shell, "hyphae:vote " + newcomer + " withdraw");
            assertTrue(withdrawn.contains("votes of " + identity.peerId() + ": none"), withdrawn);
        } finally {
            tracker.close();
            Configuration poa = admin.getConfiguration("org.hyphae.consensus.poa", "?");
            poa.update(new Hashtable<>(java.util.Map.of("votes", new String[0])));
            ledgerConfig.delete();
            if (storageConfig != null) {
                storageConfig.delete();
            }
            await("the ledger stopped", () -> context.getServiceReference(Ledger.class) == null);
            // Other tests in this framework may run a ledger of another chain on the same store.
            for (ServiceReference<Datastore> ref : context.getServiceReferences(Datastore.class, null)) {
                Datastore ds = context.getService(ref);
                try (Cursor<Entry> c = ds.scan(KeyRange.prefix("/ledger/".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                        Datastore.Batch b = ds.batch()) {
                    while (c.hasNext()) {
                        b.delete(c.next().key());
                    }
                    b.commit();
                } finally {
                    context.ungetService(ref);
                }
            }
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what + "; " + DIAGNOSTIC.get());
            }
            Thread.sleep(100);
        }
    }
}
