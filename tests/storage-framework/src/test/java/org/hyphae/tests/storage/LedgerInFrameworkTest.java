package org.hyphae.tests.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Ledger;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The ledger and the poa engine in the node's own framework, configured with a chain file where
 * this node is the only signer: {@code hyphae:vote <peer> add} stores the vote in Config Admin and
 * the next sealed block makes the peer a signer; a storage swap carries the chain to the new
 * store and back, and a store that holds another chain is refused with the reason while the chain
 * stays whole in the previous one. (Here, beside the storage swap tests, since it swaps the store
 * of every consumer.)
 */
class LedgerInFrameworkTest {

    private static final AtomicReference<String> DIAGNOSTIC = new AtomicReference<>("");

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService
    CommandProcessor shell;

    private Configuration ledgerConfig;
    private Configuration storageConfig;
    private ServiceTracker<Ledger, Ledger> tracker;
    private Ledger ledger;

    @BeforeEach
    void startALedger() throws Exception {
        Path chainFile = Files.createTempDirectory("hyphae-ledger-framework").resolve("chain.properties");
        Files.writeString(chainFile, "chain.id = framework-" + System.nanoTime() + "\ngenesis.time = " + (System.currentTimeMillis() - 5000)
                + "\nbalance.self = 1000000\nconsensus.1.engine = poa\nconsensus.1.period = 200\nconsensus.1.wiggle = 100\n"
                + "consensus.1.signers = self\n");
        // The ledger follows the storage selection PID too, and runs only when both are there.
        Configuration[] selection = admin.listConfigurations("(service.pid=org.hyphae.storage)");
        if (selection == null || selection.length == 0) {
            storageConfig = admin.getConfiguration("org.hyphae.storage", "?");
            storageConfig.update(new Hashtable<>());
        }
        ledgerConfig = admin.getConfiguration("org.hyphae.ledger", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("chainFile", chainFile.toString());
        ledgerConfig.update(props);
        tracker = new ServiceTracker<>(context, Ledger.class, null);
        tracker.open();
        ledger = tracker.waitForService(60_000);
        assertTrue(ledger != null, "the ledger runs once configured");
        await("two blocks", () -> height() >= 2);
    }

    @AfterEach
    void stopTheLedger() throws Exception {
        tracker.close();
        run(shell, "hyphae:storage-use fs");
        Configuration poa = admin.getConfiguration("org.hyphae.consensus.poa", "?");
        poa.update(new Hashtable<>(java.util.Map.of("votes", new String[0])));
        ledgerConfig.delete();
        if (storageConfig != null) {
            storageConfig.delete();
        }
        await("the ledger stopped", () -> context.getServiceReference(Ledger.class) == null);
        // Other tests in this framework may run a ledger of another chain on the same stores.
        for (ServiceReference<Datastore> ref : context.getServiceReferences(Datastore.class, null)) {
            Datastore ds = context.getService(ref);
            try (Cursor<Entry> c = ds.scan(KeyRange.prefix("/ledger/".getBytes(StandardCharsets.US_ASCII))); Datastore.Batch b = ds.batch()) {
                while (c.hasNext()) {
                    b.delete(c.next().key());
                }
                b.commit();
            } finally {
                context.ungetService(ref);
            }
        }
    }

    private long height() {
        try {
            return ledger.height();
        } catch (IllegalStateException stopping) {
            return -1;
        }
    }

    @Test
    void aVoteFromTheShellAddsASigner(@InjectService Identity identity) throws Exception {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 0x42);
        PeerId newcomer = PeerId.fromEd25519PublicKey(key);
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
            String sg = command("hyphae:signers");
            DIAGNOSTIC.set(sg + command("hyphae:chain"));
            return sg.contains("\n  " + newcomer);
        });
        String after = run(shell, "hyphae:signers");
        assertTrue(after.contains("signers at #") && after.contains("(2; a signer may seal one in 2 blocks)"), after);
        String withdrawn = run(shell, "hyphae:vote " + newcomer + " withdraw");
        assertTrue(withdrawn.contains("votes of " + identity.peerId() + ": none"), withdrawn);
    }

    @Test
    void aStorageSwapCarriesTheChainAndAStoreOfAnotherChainIsRefused() throws Exception {
        Hash second = ledger.block(2).orElseThrow().hash();
        long before = ledger.height();
        // A reader all through the two swaps (a dashboard polling the chain): a swap is not an error to it.
        AtomicReference<Throwable> readFailed = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            while (reading.get() && readFailed.get() == null) {
                try {
                    ledger.block(ledger.status().head().height()).orElseThrow();
                } catch (RuntimeException e) {
                    readFailed.set(e);
                }
            }
        }, "chain-reader");
        reader.start();
        try {
            assertTrue(run(shell, "hyphae:storage-use memory").contains("active storage kind is now memory"));
            await("blocks on the memory store", () -> height() >= before + 3);
            assertEquals(second, ledger.block(2).orElseThrow().hash(), "the same chain, not a new one from genesis");

            long onMemory = ledger.height();
            Hash madeOnMemory = ledger.block(onMemory).orElseThrow().hash();
            run(shell, "hyphae:storage-use fs");
            await("blocks on fs again", () -> height() >= onMemory + 3);
            assertEquals(second, ledger.block(2).orElseThrow().hash());
            assertEquals(madeOnMemory, ledger.block(onMemory).orElseThrow().hash(), "the blocks made on memory came back to fs");
        } finally {
            reading.set(false); // also when an assertion above fails: the reader must not spin on
            reader.join();
        }
        assertEquals(null, readFailed.get(), "a read of the chain during a storage swap failed");

        // The memory store now holds another chain's genesis: the ledger refuses it and says why.
        Datastore memory = store("memory");
        try (Cursor<Entry> c = memory.scan(KeyRange.prefix("/ledger/".getBytes(StandardCharsets.US_ASCII))); Datastore.Batch b = memory.batch()) {
            while (c.hasNext()) {
                b.delete(c.next().key());
            }
            b.put("/ledger/genesis".getBytes(StandardCharsets.US_ASCII), Hash.sha256(new byte[] {1}).bytes());
            b.commit();
        }
        long onFs = ledger.height();
        run(shell, "hyphae:storage-use memory");
        await("the ledger refuses the store", () -> command("hyphae:chain").contains("holds another chain"));
        String refused = command("hyphae:chain");
        assertTrue(refused.contains("the ledger is stopped") && refused.contains("untouched in the previous store"), refused);
        run(shell, "hyphae:storage-use fs");
        await("the chain goes on from fs", () -> height() > onFs);
        assertEquals(second, ledger.block(2).orElseThrow().hash());
    }

    private Datastore store(String kind) throws Exception {
        ServiceReference<Datastore> ref = context.getServiceReferences(Datastore.class, "(storage.kind=" + kind + ")").iterator().next();
        return context.getService(ref);
    }

    /** A command's output; fails the test if the command throws. */
    private String run(CommandProcessor processor, String line) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        org.apache.felix.service.command.CommandSession session = processor.createSession(System.in, print, print);
        try {
            Object result = session.execute(line);
            if (result != null) {
                print.println(session.format(result, org.apache.felix.service.command.Converter.INSPECT));
            }
        } catch (Exception e) {
            throw new AssertionError(line + " failed: " + e + "\n" + out.toString(StandardCharsets.UTF_8), e);
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A command's output, or the error it ended in (a stopped ledger answers with an exception). */
    private String command(String line) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        org.apache.felix.service.command.CommandSession session = shell.createSession(System.in, print, print);
        try {
            Object result = session.execute(line);
            if (result != null) {
                print.println(session.format(result, org.apache.felix.service.command.Converter.INSPECT));
            }
        } catch (Exception e) {
            print.println(e.getMessage());
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what + "; " + DIAGNOSTIC.get());
            }
            Thread.sleep(100);
        }
    }
}
