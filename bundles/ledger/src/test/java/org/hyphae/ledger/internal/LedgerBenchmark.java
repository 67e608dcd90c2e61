package org.hyphae.ledger.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.hyphae.consensus.poa.internal.CliqueEngine;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.identity.internal.Ed25519KeyPair;
import org.hyphae.ledger.Transaction;
import org.hyphae.transport.testkit.TestIdentity;

/**
 * Ledger throughput with 4 poa signers in one JVM (in-memory network, real GossipSub, sync and
 * engine): sustained transactions per second and time from submission to inclusion p50/p99,
 * printed against this machine's Ed25519 verification rate measured in the same run; then a
 * fresh node syncs the whole chain and the sync speed in blocks per second is printed.
 *
 * <p>Arguments: seconds of load (default 30), senders (default 2000), block period ms (default 500),
 * offered tx/s (default 0: saturate, with 2,048 submissions in flight), seconds of unmeasured warm-up
 * load before (default 30: after 10 s the JIT was still compiling, about a tenth of the CPU).
 * Not a test: run it as a main class (see benchmarks/README.md).
 */
public final class LedgerBenchmark {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int senders = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        long period = args.length > 2 ? Long.parseLong(args[2]) : 500;
        // Offered load in tx/s; 0: as fast as 2,048 submissions in flight allow (saturation).
        long rate = args.length > 3 ? Long.parseLong(args[3]) : 0;
        // Seconds of the same load before the measurement, unmeasured (JIT warm-up).
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("machine: %d cores, load average %.1f%n", cores,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        // Ed25519 verification rate, one core and all cores, through the path the nodes use (Ed25519KeyPair.verify:
        // libsodium first where it is loaded) and with BouncyCastle alone; measured before and after the load (the
        // machine is shared), the mean of the nodes' path is the reference.
        System.out.println("Ed25519 verifier of the nodes: " + Ed25519KeyPair.verifier());
        double[] before = verifyRates(cores, Ed25519KeyPair::verify);
        double[] beforeBc = verifyRates(cores, Ed25519KeyPair::verifyWithBouncyCastle);
        System.out.printf("Ed25519 verify before the load: %.0f/s on one core, %.0f/s on %d cores; BouncyCastle alone %.0f/s"
                + " and %.0f/s (nodes' path / BouncyCastle: %.2f)%n", before[0], before[1], cores, beforeBc[0], beforeBc[1],
                before[0] / beforeBc[0]);

        List<TestIdentity> signers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            signers.add(TestIdentity.fromSeedByte(200 + i));
        }
        List<TestIdentity> users = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            users.add(TestIdentity.random());
        }
        Properties p = new Properties();
        p.setProperty("chain.id", "bench");
        p.setProperty("genesis.time", String.valueOf(System.currentTimeMillis() - 10_000));
        for (TestIdentity u : users) {
            p.setProperty("balance." + u.peerId(), "1000000000");
        }
        p.setProperty("consensus.1.engine", "poa");
        p.setProperty("consensus.1.period", String.valueOf(period));
        p.setProperty("consensus.1.wiggle", String.valueOf(period));
        p.setProperty("consensus.1.signers", signers.stream().map(s -> s.peerId().toString()).collect(Collectors.joining(",")));
        ChainSpec spec = ChainSpec.parse(p, signers.get(0).peerId());

        // The shipped settings (sync round and rebroadcast every 2 s, heartbeat 1 s), not the tests' fast rounds: at 300 ms
        // the rounds re-sent up to 256 pending transactions per node each time and raced gossip for every new block.
        LedgerNode.Settings nodeSettings = LedgerNode.Settings.defaults();
        org.hyphae.pubsub.gossipsub.internal.RouterParams routerParams = org.hyphae.pubsub.gossipsub.internal.RouterParams.defaults();
        System.out.printf("nodes: shipped settings (sync and rebroadcast every %d ms, gossip heartbeat %d ms)%n",
                nodeSettings.syncIntervalMs(), routerParams.heartbeatInterval().toMillis());
        try (TestNet net = new TestNet(nodeSettings, routerParams)) {
            for (TestIdentity s : signers) {
                net.add(s, spec, name -> "poa".equals(name) ? new CliqueEngine() : null);
            }
            net.meshAll();
            Map<Hash, Long> submitted = new ConcurrentHashMap<>();
            List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicLong included = new AtomicLong();
            AtomicLong all = new AtomicLong();
            AtomicLong measuring = new AtomicLong();
            AtomicLong lastInclusion = new AtomicLong();
            // Every block the canonical chain gains: a reorg brings in several, and a BlockListener hears only the new
            // head, so the transactions of the blocks below it went uncounted (one warm-up waited for them for ever).
            net.peers.get(0).ledger.chain().addListener((head, removed, added) -> {
                long now = System.nanoTime();
                for (org.hyphae.ledger.Block b : removed) {
                    all.addAndGet(-b.transactions().size());
                }
                for (org.hyphae.ledger.Block b : added) {
                    all.addAndGet(b.transactions().size());
                    for (Transaction t : b.transactions()) {
                        Long at = submitted.remove(t.hash());
                        if (at != null && measuring.get() == 1) {
                            latencies.add((now - at) / 1_000_000);
                            included.incrementAndGet();
                            lastInclusion.set(now);
                        }
                    }
                }
            });
            net.peers.forEach(x -> x.ledger.start());
            Thread.sleep(3000);

            // Pre-sign the load: per sender, nonces in order.
            // Enough load for 5,000 tx/s over the warm-up and the run, spread over the senders (nonces in order per sender).
            int perSender = (int) Math.max(1, Math.min(1000, 5000L * (seconds + warmup) / senders));
            System.out.printf("signing %d transactions...%n", senders * perSender);
            List<List<Transaction>> bySender = users.parallelStream().map(u -> {
                List<Transaction> list = new ArrayList<>(perSender);
                for (int k = 0; k < perSender; k++) {
                    Transaction t = Transaction.transfer(spec.chainId(), u.peerId(), k, 1, signers.get(k % 4).peerId(), 1);
                    list.add(t.withSignature(u.sign(t.signingBytes())));
                }
                return list;
            }).toList();
            // Submission order: round k of every sender, then round k + 1 (each sender's nonces in order).
            List<Transaction> order = new ArrayList<>(senders * perSender);
            for (int k = 0; k < perSender; k++) {
                for (int s = 0; s < senders; s++) {
                    order.add(bySender.get(s).get(k));
                }
            }
            // Clients submit concurrently (a window of submissions in flight), as many wallets would.
            java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(2048);
            AtomicLong refused = new AtomicLong();
            int cursor = 0;
            if (warmup > 0) {
                // The same load, unmeasured, so that what is measured is not a JIT-cold JVM compiling the code it runs.
                System.out.printf("warm-up: %d s of load, not measured%n", warmup);
                cursor = submitFor(net, order, senders, 0, warmup, rate, window, submitted, refused);
                window.acquire(2048);
                window.release(2048);
                awaitIncluded(net, "the warm-up's transactions included", submitted, order);
                refused.set(0);
                BUSY.set(0);
            }
            measuring.set(1);
            java.time.Instant loadStart = java.time.Instant.now();
            long cpuStart = processCpuNanos();
            Map<Long, Long> threadCpuStart = threadCpu();
            long gcStart = gcMillis();
            long checkedStart = checked(net);
            long start = System.nanoTime();
            long sent = submitFor(net, order, senders, cursor, seconds, rate, window, submitted, refused) - cursor;
            window.acquire(2048);
            long sentNanos = System.nanoTime() - start;
            sent -= refused.get();
            // Measured until the last of them is included (was: a fixed 5 s after the last submission, idle time that
            // lowered both the rate and the share of the cores used).
            try {
                TestNet.await("the measured transactions included", 60_000, submitted::isEmpty);
            } catch (AssertionError e) {
                System.out.printf("%d transactions not included 60 s after the last submission%n", submitted.size());
            }
            measuring.set(0);
            long cpu = processCpuNanos() - cpuStart;
            Map<String, Long> byGroup = cpuByThreadGroup(threadCpuStart);
            long gc = gcMillis() - gcStart;
            long checks = checked(net) - checkedStart;
            // The window to read a profile in (for example JFR's execution samples) without set-up and sync.
            System.out.printf("load window: %s %s%n", loadStart, java.time.Instant.now());
            double elapsed = (Math.max(lastInclusion.get(), start + sentNanos) - start) / 1e9;
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            double tps = included.get() / elapsed;
            System.out.printf("offered %d tx in %.1f s (%.0f tx/s submitted); included %d in %.1f s (to the last): %.0f tx/s sustained%n",
                    sent, sentNanos / 1e9, sent / (sentNanos / 1e9), included.get(), elapsed, tps);
            System.out.printf("submissions answered 'busy' and offered again: %d; refused for good: %d%n", BUSY.get(), refused.get());
            if (sorted.length > 0) {
                System.out.printf("time to inclusion: p50 %d ms, p99 %d ms%n", sorted[sorted.length / 2],
                        sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))]);
            }
            double[] after = verifyRates(cores, Ed25519KeyPair::verify);
            double[] afterBc = verifyRates(cores, Ed25519KeyPair::verifyWithBouncyCastle);
            double verifyOne = (before[0] + after[0]) / 2;
            double verifyAll = (before[1] + after[1]) / 2;
            double bcOne = (beforeBc[0] + afterBc[0]) / 2;
            double bcAll = (beforeBc[1] + afterBc[1]) / 2;
            System.out.printf("Ed25519 verify after the load: %.0f/s on one core, %.0f/s on %d cores; mean %.0f/s and %.0f/s;"
                    + " BouncyCastle alone after %.0f/s and %.0f/s, mean %.0f/s and %.0f/s (nodes' path / BouncyCastle: %.2f)%n",
                    after[0], after[1], cores, verifyOne, verifyAll, afterBc[0], afterBc[1], bcOne, bcAll, verifyOne / bcOne);
            System.out.printf("with BouncyCastle alone the 4-node ceiling would be %.0f tx/s: %.2f of it%n", bcAll / 4,
                    tps / (bcAll / 4));
            // Every node verifies every transaction once, so 4 nodes on this machine can at best include all cores' rate / 4.
            System.out.printf("ratio: %.2f of one core's Ed25519 verification rate, %.2f of all cores' (%d); %.2f of the ceiling for 4 nodes"
                    + " verifying every tx once on these cores (%.0f tx/s); target 3000 tx/s: %.2f; load average now %.1f%n",
                    tps / verifyOne, tps / verifyAll, cores, tps / (verifyAll / 4), verifyAll / 4, tps / 3000,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

            // Where the CPU went, independent of how much of the shared machine this process got: the CPU time of the
            // whole process (nodes and the benchmark's submitting clients; the signing was done before) per included
            // transaction, against what its signature checks cost at one core's rate.
            double cpuPerTx = included.get() == 0 ? 0 : cpu / 1e6 / included.get();
            double checksPerTx = included.get() == 0 ? 0 : (double) checks / included.get();
            double verifyCpu = (before[2] + after[2]) / 2;
            double verifyPerTx = checksPerTx * 1000 / verifyCpu;
            System.out.printf("cpu: %.2f of %d cores used on average during the load (gc %d ms); %.3f ms CPU per included tx;"
                    + " %.2f signature checks per tx (%.3f ms at %.0f checks per CPU second): verification is %.2f of the CPU%n",
                    cpu / 1e9 / elapsed, cores, gc, cpuPerTx, checksPerTx, verifyPerTx, verifyCpu, cpuPerTx == 0 ? 0 : verifyPerTx / cpuPerTx);

            System.out.println("cpu by thread (ms per included tx): " + byGroup.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                    .map(e -> String.format("%s %.3f", e.getKey(), e.getValue() / 1e6 / Math.max(1, included.get())))
                    .collect(Collectors.joining(", ")));

            // Sync speed: a fresh node downloads and verifies everything.
            long height = net.peers.get(0).ledger.height();
            TestNet.Peer fresh = net.add(TestIdentity.fromSeedByte(250), spec, name -> "poa".equals(name) ? new CliqueEngine() : null);
            for (int i = 0; i < 4; i++) {
                net.connect(fresh, net.peers.get(i));
            }
            long s0 = System.nanoTime();
            fresh.ledger.start();
            fresh.ledger.syncNow();
            TestNet.await("sync", 600_000, () -> fresh.ledger.height() >= height);
            double syncSeconds = (System.nanoTime() - s0) / 1e9;
            System.out.printf("sync: %d blocks (%d tx) in %.1f s: %.0f blocks/s, %.0f tx/s verified and applied%n", height, all.get(),
                    syncSeconds, height / syncSeconds, all.get() / syncSeconds);
        }
        System.exit(0);
    }

    /**
     * Submits {@code order} from {@code from} round-robin to the four nodes for {@code seconds} (at
     * {@code rate} tx/s if positive, else as fast as the window allows); returns where it stopped.
     */
    /** Submissions a node answered "busy" to (offered again after a pause). */
    private static final AtomicLong BUSY = new AtomicLong();

    private static int submitFor(TestNet net, List<Transaction> order, int senders, int from, int seconds, long rate,
            java.util.concurrent.Semaphore window, Map<Hash, Long> submitted, AtomicLong refused) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        int i = from;
        for (; i < order.size() && System.nanoTime() <= end; i++) {
            if (rate > 0) {
                long due = start + (i - from) * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
            Transaction t = order.get(i);
            // Sender s's round k goes to node (s + k) % 4: a sender's consecutive nonces reach different nodes.
            LedgerNode target = net.peers.get((i % senders + i / senders) % 4).ledger;
            window.acquire();
            // From the submission, not from the wait for a place in the window.
            submitted.put(t.hash(), System.nanoTime());
            submitUntilTaken(target, t, 0).whenComplete((id, e) -> {
                window.release();
                if (e != null) {
                    submitted.remove(t.hash());
                    refused.incrementAndGet();
                }
            });
        }
        return i;
    }

    /**
     * Submits as a wallet would: a node whose intake is full says "busy, try again later", and the
     * transaction is offered again after a pause (its sender's later nonces wait for it, so dropping
     * it would leave them pending for good). Each "busy" is counted in {@link #BUSY}.
     */
    private static java.util.concurrent.CompletableFuture<Hash> submitUntilTaken(LedgerNode target, Transaction t, int tries) {
        return target.submit(t).toCompletableFuture().handle((id, e) -> {
            if (e == null) {
                return java.util.concurrent.CompletableFuture.completedFuture(id);
            }
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (!(cause instanceof TransactionIntake.FullException) || tries >= 1000) {
                return java.util.concurrent.CompletableFuture.<Hash>failedFuture(cause);
            }
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> null,
                    java.util.concurrent.CompletableFuture.delayedExecutor(10, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .thenCompose(x -> {
                        BUSY.incrementAndGet();
                        return submitUntilTaken(target, t, tries + 1);
                    });
        }).thenCompose(f -> f);
    }

    /** Waits until every submitted transaction is included at node 0; if it never happens, says where each node stands. */
    private static void awaitIncluded(TestNet net, String what, Map<Hash, Long> submitted, List<Transaction> order)
            throws InterruptedException {
        try {
            TestNet.await(what, 120_000, submitted::isEmpty);
        } catch (AssertionError e) {
            System.out.printf("stalled: %d transactions not included; nodes: %s%n", submitted.size(), net.peers.stream()
                    .map(p -> "#" + p.ledger.height() + " " + p.ledger.status().head().hash().shortHex() + " pending "
                            + p.ledger.status().pendingTransactions())
                    .collect(Collectors.joining("; ")));
            order.stream().filter(t -> submitted.containsKey(t.hash())).limit(5).forEach(t -> System.out.printf(
                    "  missing %s nonce %d (account nonce at node 0: %d); in a block at node 0: %s%n", t.hash().shortHex(), t.nonce(),
                    net.peers.get(0).ledger.account(t.from()).nonce(), net.peers.get(0).ledger.transaction(t.hash()).isPresent()));
            throw e;
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time so far of each live thread, by thread id. */
    private static Map<Long, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new java.util.HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            out.put(id, mx.getThreadCpuTime(id));
        }
        return out;
    }

    /**
     * CPU time since {@code start} of the live threads, summed by the thread name without digits and
     * node tags (the four nodes' threads of one kind together); threads that ended are not counted.
     */
    private static Map<String, Long> cpuByThreadGroup(Map<Long, Long> start) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long now = mx.getThreadCpuTime(t.getThreadId());
            if (now < 0) {
                continue;
            }
            String group = t.getThreadName().replaceAll("-[A-Za-z0-9]{6}(-[0-9]+)?$", "$1").replaceAll("[0-9]+", "N");
            out.merge(group, now - start.getOrDefault(t.getThreadId(), 0L), Long::sum);
        }
        return out;
    }

    private static long gcMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static long checked(TestNet net) {
        return net.peers.stream().mapToLong(p -> p.ledger.chain().signatures().transactionsChecked()).sum();
    }

    /**
     * Verifications per second for 2 s on one thread, then on {@code cores} threads; and per second of
     * the one thread's CPU time (what a verification costs, however busy the machine is).
     */
    private static double[] verifyRates(int cores, SignatureCheck v) throws InterruptedException {
        TestIdentity signer = TestIdentity.fromSeedByte(9);
        Transaction sample = Transaction.transfer("bench", signer.peerId(), 0, 1, signer.peerId(), 1);
        byte[] msg = sample.signingBytes();
        byte[] sig = signer.sign(msg);
        byte[] key = signer.publicKeyProtobuf();
        for (long w = System.nanoTime(); System.nanoTime() - w < 1_000_000_000L;) {
            v.verify(key, msg, sig); // JIT warm-up
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime();
        long c0 = threads.getCurrentThreadCpuTime();
        int n = 0;
        while (System.nanoTime() - t0 < 2_000_000_000L) {
            v.verify(key, msg, sig);
            n++;
        }
        double one = n / ((System.nanoTime() - t0) / 1e9);
        double perCpuSecond = n / ((threads.getCurrentThreadCpuTime() - c0) / 1e9);
        AtomicLong all = new AtomicLong();
        long t1 = System.nanoTime();
        List<Thread> ts = new ArrayList<>();
        for (int c = 0; c < cores; c++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() - t1 < 2_000_000_000L) {
                    v.verify(key, msg, sig);
                    all.incrementAndGet();
                }
            });
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) {
            t.join();
        }
        return new double[] {one, all.get() / ((System.nanoTime() - t1) / 1e9), perCpuSecond};
    }

    /** A way to check a signature: the nodes' {@code Ed25519KeyPair.verify} or BouncyCastle alone. */
    private interface SignatureCheck {
        boolean verify(byte[] publicKeyProtobuf, byte[] data, byte[] signature);
    }

}
