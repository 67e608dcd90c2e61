package org.hyphae.consensus.bft.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Transaction;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Liveness when the CPU is starved: four validators in one JVM, busy threads eating every core and
 * a flood of transactions submitted with many in flight. The chain must keep finalizing blocks:
 * transaction intake may slow down, consensus may not stop.
 */
class BftStarvationTest {

    static final List<TestIdentity> VALIDATORS = List.of(TestIdentity.fromSeedByte(71), TestIdentity.fromSeedByte(72),
            TestIdentity.fromSeedByte(73), TestIdentity.fromSeedByte(74));
    /** How long the flood and the busy threads last. */
    static final long FLOOD_MS = 40_000;
    /** Blocks that must be final in that time (quiet, this chain makes about 5 a second). */
    static final long MIN_BLOCKS = 12;
    static final int IN_FLIGHT = 256;
    static final int SENDERS = 1000;
    static final int TRANSACTIONS = 200_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void chainKeepsFinalizingUnderBusyThreadsAndATransactionFlood() throws Exception {
        List<TestIdentity> users = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            users.add(TestIdentity.random());
        }
        ChainSpec spec = BftNet.spec("bft-starved", VALIDATORS, null, users);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> hogs = new ArrayList<>();
        try (BftNet net = new BftNet(dir)) {
            for (TestIdentity v : VALIDATORS) {
                net.add(v, spec);
            }
            net.connectAll();
            net.peers.forEach(p -> p.ledger.start());
            BftNet.await("height 3 before the load", 60_000, () -> net.minHeight() >= 3);

            // The flood, signed beforehand so that it comes faster than four nodes in one JVM can check it.
            int perSender = TRANSACTIONS / SENDERS;
            List<Transaction> flood = java.util.stream.IntStream.range(0, perSender).boxed().flatMap(k -> users.parallelStream().map(u -> {
                Transaction t = Transaction.transfer(spec.chainId(), u.peerId(), k, 1, VALIDATORS.get(k % 4).peerId(), 1);
                return t.withSignature(u.sign(t.signingBytes()));
            }).toList().stream()).toList();

            // Busy threads: twice as many as cores, spinning for the whole flood.
            int cores = Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < 2 * cores; i++) {
                Thread t = new Thread(() -> {
                    long x = 0;
                    while (!stop.get()) {
                        x += Long.numberOfTrailingZeros(x ^ System.nanoTime());
                    }
                    if (x == 42) {
                        System.out.print("");
                    }
                }, "cpu-hog-" + i);
                t.setDaemon(true);
                t.start();
                hogs.add(t);
            }
            AtomicLong offered = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            Thread flooder = new Thread(() -> {
                Semaphore inFlight = new Semaphore(IN_FLIGHT);
                try {
                    for (int k = 0; k < flood.size() && !stop.get(); k++) {
                        if (!inFlight.tryAcquire(5, TimeUnit.SECONDS)) {
                            continue;
                        }
                        offered.incrementAndGet();
                        net.peers.get(k % 4).ledger.submit(flood.get(k)).whenComplete((r, e) -> {
                            inFlight.release();
                            if (e != null) {
                                refused.incrementAndGet();
                            }
                        });
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "tx-flood");
            flooder.setDaemon(true);
            long h0 = net.minHeight();
            long t0 = System.currentTimeMillis();
            flooder.start();
            long end = t0 + FLOOD_MS;
            while (System.currentTimeMillis() < end) {
                Thread.sleep(5000);
                System.out.println("starved: " + (System.currentTimeMillis() - t0) / 1000 + " s: " + BftNet.heights(net.peers)
                        + "; offered " + offered.get() + ", refused " + refused.get());
            }
            long h1 = net.minHeight();
            stop.set(true);
            flooder.join(10_000);
            System.out.println("starved: " + (h1 - h0) + " blocks final on every node in " + FLOOD_MS / 1000 + " s; offered "
                    + offered.get() + " transactions, " + refused.get() + " refused; load average "
                    + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            assertTrue(h1 - h0 >= MIN_BLOCKS, "only " + (h1 - h0) + " blocks final in " + FLOOD_MS / 1000
                    + " s under starvation (want " + MIN_BLOCKS + "): " + BftNet.heights(net.peers));
            // And no fork, nothing applied twice.
            long h = net.minHeight();
            BftNet.checkInvariants(net.peers, h, spec.totalSupply());
        } finally {
            stop.set(true);
            for (Thread t : hogs) {
                t.join(5000);
            }
        }
    }
}
