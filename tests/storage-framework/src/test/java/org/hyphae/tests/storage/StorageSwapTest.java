package org.hyphae.tests.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Datastore;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** Swapping the active kind at runtime, with writes in flight, then migrating. */
class StorageSwapTest {

    @InjectBundleContext
    BundleContext context;

    @Test
    void memoryToFsSwapDrainsInFlightWritesAndRebindsTheConsumerWithoutRestartingIt(
            @InjectService ConfigurationAdmin configAdmin, @InjectService RecordingConsumer consumer,
            @InjectService CommandProcessor shell) throws Exception {
        Configuration selection = configAdmin.getConfiguration(BlockStore.SELECTION_PID, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("blockStore.target", "(storage.kind=memory)");
        props.put("datastore.target", "(storage.kind=memory)");
        selection.update(props);
        await(() -> "memory".equals(consumer.currentKind()), "consumer bound to the memory store");
        int activations = RecordingConsumer.ACTIVATIONS.get();

        List<RecordingConsumer.Write> acknowledged = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            done.add(writers.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    byte[] key = ("swap/" + thread + "/" + i).getBytes(StandardCharsets.UTF_8);
                    acknowledged.add(consumer.write(key, key));
                }
                return null;
            }));
        }
        await(() -> acknowledged.size() > 200, "writes on memory");
        String use = run(shell, "hyphae:storage-use fs");
        assertTrue(use.contains("now fs"), use);
        await(() -> "fs".equals(consumer.currentKind()), "consumer rebound to the fs store");
        int atSwap = acknowledged.size();
        await(() -> acknowledged.size() > atSwap + 200, "writes on fs");
        stop.set(true);
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        writers.shutdown();

        assertEquals(activations, RecordingConsumer.ACTIVATIONS.get(), "rebound, not restarted");
        List<RecordingConsumer.Write> writes = List.copyOf(acknowledged);
        long lastMemoryEnd = writes.stream().filter(w -> w.kind().equals("memory"))
                .mapToLong(RecordingConsumer.Write::ended).max().orElseThrow();
        long firstFsStart = writes.stream().filter(w -> w.kind().equals("fs"))
                .mapToLong(RecordingConsumer.Write::started).min().orElseThrow();
        assertTrue(lastMemoryEnd < firstFsStart,
                "every write on the old store ended before the first on the new one began (drained): "
                        + lastMemoryEnd + " vs " + firstFsStart);

        Datastore memory = store("memory");
        Datastore fs = store("fs");
        for (RecordingConsumer.Write w : writes) {
            assertTrue((w.kind().equals("memory") ? memory : fs).has(w.key()), "acknowledged write kept");
        }

        String migrate = run(shell, "hyphae:storage-migrate memory fs");
        assertTrue(migrate.contains("all verified"), migrate);
        for (RecordingConsumer.Write w : writes) {
            assertTrue(fs.has(w.key()), "after migration every acknowledged write is in fs");
        }
        String storage = run(shell, "hyphae:storage");
        assertTrue(storage.contains("active kind: fs") && storage.contains("memory") && storage.contains("blocks:"),
                storage);
    }

    private Datastore store(String kind) throws Exception {
        var refs = context.getServiceReferences(Datastore.class, "(storage.kind=" + kind + ")");
        assertEquals(1, refs.size(), "one " + kind + " datastore");
        return context.getService(refs.iterator().next());
    }

    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    static String run(CommandProcessor processor, String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(System.in, print, print);
        try {
            Object result = session.execute(command);
            if (result != null) {
                print.println(session.format(result, org.apache.felix.service.command.Converter.INSPECT));
            }
        } catch (Exception e) {
            fail(command + " failed: " + e + "\n" + out.toString(StandardCharsets.UTF_8));
        } finally {
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
