package org.hyphae.consensus.bft.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.identity.internal.Ed25519KeyPair;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;
import org.hyphae.ledger.internal.LedgerNode;
import org.hyphae.pubsub.gossipsub.internal.RouterParams;
import org.hyphae.transport.testkit.TestIdentity;

/**
 * BFT with 4 validators in one JVM (in-memory network, real GossipSub, ledger, engine and vote
 * log on disk): sustained transactions per second and finality latency (submission to a block
 * with its commit certificate on a node) p50/p99, against this machine's Ed25519 verification
 * rate measured in the same run; then blocks per second with no transactions at the smallest
 * period.
 *
 * <p>Arguments: seconds of load (default 30), senders (default 2000), block period ms (default
 * 200), submissions in flight (default 1), seconds of unmeasured warm-up load before (default 30).
 * The nodes run the shipped settings (sync every 2 s, heartbeat 1 s). The rate is counted to the
 * last inclusion. Not a test: run it as a main class (see benchmarks/README.md).
 */
public final class BftBenchmark {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int senders = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        long period = args.length > 2 ? Long.parseLong(args[2]) : 200;
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("machine: %d cores, load average %.1f%n", cores,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        // Through the path the nodes use (Ed25519KeyPair.verify: libsodium first where it is loaded), and with
        // BouncyCastle alone; the first is the reference.
        double verifyOne = verifyRate(Ed25519KeyPair::verify);
        double verifyBc = verifyRate(Ed25519KeyPair::verifyWithBouncyCastle);
        System.out.printf("Ed25519 verify, one core: %.0f/s as the nodes verify (%s); BouncyCastle alone %.0f/s"
                + " (nodes' path / BouncyCastle: %.2f)%n", verifyOne, Ed25519KeyPair.verifier(), verifyBc, verifyOne / verifyBc);

        List<TestIdentity> validators = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            validators.add(TestIdentity.fromSeedByte(200 + i));
        }
        List<TestIdentity> users = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            users.add(TestIdentity.random());
        }
        Path dir = Files.createTempDirectory("bft-bench");
        ChainSpec spec = spec(validators, users, period);
        LedgerNode.Settings nodeSettings = LedgerNode.Settings.defaults();
        RouterParams routerParams = RouterParams.defaults();
        System.out.printf("nodes: shipped settings (sync every %d ms, gossip heartbeat %d ms)%n", nodeSettings.syncIntervalMs(),
                routerParams.heartbeatInterval().toMillis());
        try (BftNet net = new BftNet(dir, nodeSettings, routerParams)) {
            for (TestIdentity v : validators) {
                net.add(v, spec);
            }
            net.connectAll();
            Map<Hash, Long> submitted = new ConcurrentHashMap<>();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicLong included = new AtomicLong();
            AtomicLong measuring = new AtomicLong();
            AtomicLong lastInclusion = new AtomicLong();
            net.peers.get(0).ledger.addBlockListener(b -> {
                long now = System.nanoTime();
                for (Transaction t : b.transactions()) {
                    Long at = submitted.remove(t.hash());
                    if (at != null && measuring.get() == 1) {
                        latencies.add((now - at) / 1_000_000);
                        included.incrementAndGet();
                        lastInclusion.set(now);
                    }
                }
            });
            net.peers.forEach(x -> x.ledger.start());
            Thread.sleep(3000);
            int perSender = (int) Math.max(1, Math.min(1000, 5000L * (seconds + warmup) / senders));
            System.out.printf("signing %d transactions...%n", senders * perSender);
            List<List<Transaction>> bySender = users.parallelStream().map(u -> {
                List<Transaction> list = new ArrayList<>(perSender);
                for (int k = 0; k < perSender; k++) {
                    Transaction t = Transaction.transfer(spec.chainId(), u.peerId(), k, 1, validators.get(k % 4).peerId(), 1);
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
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(window);
            AtomicLong refused = new AtomicLong();
            int cursor = 0;
            if (warmup > 0) {
                // The same load, unmeasured: what is measured is not a JIT-cold JVM compiling the code it runs.
                System.out.printf("warm-up: %d s of load, not measured%n", warmup);
                cursor = submitFor(net, order, senders, 0, warmup, inFlight, window, submitted, refused);
                BftNet.await("the warm-up's transactions final", 120_000, submitted::isEmpty);
                refused.set(0);
            }
            long h0 = net.peers.get(0).ledger.height();
            java.util.concurrent.ScheduledExecutorService progress = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            progress.scheduleAtFixedRate(() -> System.out.println("  " + BftNet.heights(net.peers) + "; pending "
                    + net.peers.get(0).ledger.status().pendingTransactions()), 5, 5, java.util.concurrent.TimeUnit.SECONDS);
            measuring.set(1);
            long cpuStart = processCpuNanos();
            long start = System.nanoTime();
            long sent = submitFor(net, order, senders, cursor, seconds, inFlight, window, submitted, refused) - cursor;
            long sentNanos = System.nanoTime() - start;
            sent -= refused.get();
            // Measured until the last of them is final (was: a fixed 5 s after the last submission, idle time in the rate).
            try {
                BftNet.await("the measured transactions final", 60_000, submitted::isEmpty);
            } catch (AssertionError e) {
                System.out.printf("%d transactions not final 60 s after the last submission%n", submitted.size());
            }
            measuring.set(0);
            long cpu = processCpuNanos() - cpuStart;
            progress.shutdownNow();
            // The window to read a profile in (JFR's execution samples) without set-up and warm-up.
            System.out.printf("load window: %s %s%n", java.time.Instant.now().minusNanos(System.nanoTime() - start), java.time.Instant.now());
            double elapsed = (Math.max(lastInclusion.get(), start + sentNanos) - start) / 1e9;
            long blocks = net.peers.get(0).ledger.height() - h0;
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            double tps = included.get() / elapsed;
            System.out.printf("offered %d tx in %.1f s (%.0f tx/s submitted); final %d in %.1f s (to the last) over %d blocks: %.0f tx/s sustained%n",
                    sent, sentNanos / 1e9, sent / (sentNanos / 1e9), included.get(), elapsed, blocks, tps);
            if (sorted.length > 0) {
                System.out.printf("finality latency (submission to a certified block): p50 %d ms, p99 %d ms (target p99 < 1000 ms)%n",
                        sorted[sorted.length / 2], sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))]);
            }
            System.out.printf("ratio: %.2f of one core's Ed25519 verification rate (each of 4 nodes verifies every tx on %d shared cores); "
                    + "target 3000 tx/s: %.2f%n", tps / verifyOne, cores, tps / 3000);
            System.out.printf("cpu: %.2f of %d cores used on average during the load; %.3f ms CPU per final tx%n", cpu / 1e9 / elapsed,
                    cores, included.get() == 0 ? 0 : cpu / 1e6 / included.get());
        }

        // Empty blocks at the smallest period: the cost of a consensus round alone.
        ChainSpec empty = spec(validators, List.of(), 1);
        try (BftNet net = new BftNet(Files.createTempDirectory("bft-bench-empty"), nodeSettings, routerParams)) {
            for (TestIdentity v : validators) {
                net.add(v, empty);
            }
            net.connectAll();
            net.peers.forEach(x -> x.ledger.start());
            Thread.sleep(3000);
            long h0 = net.peers.get(0).ledger.height();
            long t0 = System.nanoTime();
            Thread.sleep(10_000);
            long blocks = net.peers.get(0).ledger.height() - h0;
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("empty blocks: %d in %.1f s: %.1f blocks/s (4 validators, period 1 ms)%n", blocks, s, blocks / s);
        }
        System.out.printf("load average at the end %.1f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.exit(0);
    }

    /**
     * Submits {@code order} from {@code from} for {@code seconds}, sender s's round k to node (s + k) % 4, with up to
     * {@code window} submissions in flight; returns where it stopped, once every submission is answered.
     */
    private static int submitFor(BftNet net, List<Transaction> order, int senders, int from, int seconds,
            java.util.concurrent.Semaphore inFlight, int window, Map<Hash, Long> submitted, AtomicLong refused) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int i = from;
        for (; i < order.size() && System.nanoTime() <= end; i++) {
            Transaction t = order.get(i);
            inFlight.acquire();
            // From the submission, not from the wait for a place in the window (as LedgerBenchmark counts).
            submitted.put(t.hash(), System.nanoTime());
            net.peers.get((i % senders + i / senders) % 4).ledger.submit(t).whenComplete((r, e) -> {
                inFlight.release();
                if (e != null) {
                    submitted.remove(t.hash());
                    refused.incrementAndGet();
                }
            });
        }
        inFlight.acquire(window);
        inFlight.release(window);
        return i;
    }

    private static ChainSpec spec(List<TestIdentity> validators, List<TestIdentity> users, long period) {
        Properties p = new Properties();
        p.setProperty("chain.id", "bft-bench");
        p.setProperty("genesis.time", String.valueOf(System.currentTimeMillis() - 10_000));
        for (TestIdentity u : users) {
            p.setProperty("balance." + u.peerId(), "1000000000");
        }
        p.setProperty("consensus.1.engine", "bft");
        StringBuilder vs = new StringBuilder();
        for (TestIdentity v : validators) {
            vs.append(vs.length() == 0 ? "" : ",").append(v.peerId()).append(":1");
        }
        p.setProperty("consensus.1.validators", vs.toString());
        p.setProperty("consensus.1.period", String.valueOf(period));
        return ChainSpec.parse(p, validators.get(0).peerId());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double verifyRate(SignatureCheck v) {
        TestIdentity signer = TestIdentity.fromSeedByte(9);
        Transaction sample = Transaction.transfer("bench", signer.peerId(), 0, 1, signer.peerId(), 1);
        byte[] msg = sample.signingBytes();
        byte[] sig = signer.sign(msg);
        byte[] key = signer.publicKeyProtobuf();
        for (long w = System.nanoTime(); System.nanoTime() - w < 1_000_000_000L;) {
            v.verify(key, msg, sig); // JIT warm-up
        }
        long t0 = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - t0 < 2_000_000_000L) {
            v.verify(key, msg, sig);
            n++;
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    /** A way to check a signature: the nodes' {@code Ed25519KeyPair.verify} or BouncyCastle alone. */
    private interface SignatureCheck {
        boolean verify(byte[] publicKeyProtobuf, byte[] data, byte[] signature);
    }
}
