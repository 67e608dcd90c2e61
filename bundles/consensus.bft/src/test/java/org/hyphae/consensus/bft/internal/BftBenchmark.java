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
import org.hyphae.transport.testkit.TestIdentity;

/**
 * BFT with 4 validators in one JVM (in-memory network, real GossipSub, ledger, engine and vote
 * log on disk): sustained transactions per second and finality latency (submission to a block
 * with its commit certificate on a node) p50/p99, against this machine's Ed25519 verification
 * rate measured in the same run; then blocks per second with no transactions at the smallest
 * period.
 *
 * <p>Arguments: seconds of load (default 30), senders (default 2000), block period ms (default
 * 200), submissions in flight (default 1). Not a test: run it as a main class (see benchmarks/README.md).
 */
public final class BftBenchmark {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int senders = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        long period = args.length > 2 ? Long.parseLong(args[2]) : 200;
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 1;
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
        try (BftNet net = new BftNet(dir)) {
            for (TestIdentity v : validators) {
                net.add(v, spec);
            }
            net.connectAll();
            Map<Hash, Long> submitted = new ConcurrentHashMap<>();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicLong included = new AtomicLong();
            AtomicLong measuring = new AtomicLong();
            net.peers.get(0).ledger.addBlockListener(b -> {
                long now = System.nanoTime();
                for (Transaction t : b.transactions()) {
                    Long at = submitted.remove(t.hash());
                    if (at != null && measuring.get() == 1) {
                        latencies.add((now - at) / 1_000_000);
                        included.incrementAndGet();
                    }
                }
            });
            net.peers.forEach(x -> x.ledger.start());
            Thread.sleep(3000);
            int perSender = (int) Math.max(1, Math.min(1000, 5000L * seconds / senders));
            System.out.printf("signing %d transactions...%n", senders * perSender);
            List<List<Transaction>> bySender = users.parallelStream().map(u -> {
                List<Transaction> list = new ArrayList<>(perSender);
                for (int k = 0; k < perSender; k++) {
                    Transaction t = Transaction.transfer(spec.chainId(), u.peerId(), k, 1, validators.get(k % 4).peerId(), 1);
                    list.add(t.withSignature(u.sign(t.signingBytes())));
                }
                return list;
            }).toList();
            long h0 = net.peers.get(0).ledger.height();
            java.util.concurrent.ScheduledExecutorService progress = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            progress.scheduleAtFixedRate(() -> System.out.println("  " + BftNet.heights(net.peers) + "; pending "
                    + net.peers.get(0).ledger.status().pendingTransactions()), 5, 5, java.util.concurrent.TimeUnit.SECONDS);
            measuring.set(1);
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long sent = 0;
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(window);
            AtomicLong refused = new AtomicLong();
            outer:
            for (int k = 0; k < perSender; k++) {
                for (int s = 0; s < senders; s++) {
                    if (System.nanoTime() > end) {
                        break outer;
                    }
                    Transaction t = bySender.get(s).get(k);
                    submitted.put(t.hash(), System.nanoTime());
                    // Up to `window` submissions in flight (1: each waits for the last, as LedgerBenchmark does).
                    inFlight.acquire();
                    net.peers.get((s + k) % 4).ledger.submit(t).whenComplete((r, e) -> {
                        inFlight.release();
                        if (e != null) {
                            submitted.remove(t.hash());
                            refused.incrementAndGet();
                        }
                    });
                    sent++;
                }
            }
            inFlight.acquire(window);
            long sentNanos = System.nanoTime() - start;
            sent -= refused.get();
            Thread.sleep(5000);
            measuring.set(0);
            progress.shutdownNow();
            double elapsed = (System.nanoTime() - start) / 1e9;
            long blocks = net.peers.get(0).ledger.height() - h0;
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            double tps = included.get() / elapsed;
            System.out.printf("offered %d tx in %.1f s (%.0f tx/s submitted); final %d in %.1f s over %d blocks: %.0f tx/s sustained%n",
                    sent, sentNanos / 1e9, sent / (sentNanos / 1e9), included.get(), elapsed, blocks, tps);
            if (sorted.length > 0) {
                System.out.printf("finality latency (submission to a certified block): p50 %d ms, p99 %d ms (target p99 < 1000 ms)%n",
                        sorted[sorted.length / 2], sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))]);
            }
            System.out.printf("ratio: %.2f of one core's Ed25519 verification rate (each of 4 nodes verifies every tx on %d shared cores); "
                    + "target 3000 tx/s: %.2f%n", tps / verifyOne, cores, tps / 3000);
        }

        // Empty blocks at the smallest period: the cost of a consensus round alone.
        ChainSpec empty = spec(validators, List.of(), 1);
        try (BftNet net = new BftNet(Files.createTempDirectory("bft-bench-empty"))) {
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
