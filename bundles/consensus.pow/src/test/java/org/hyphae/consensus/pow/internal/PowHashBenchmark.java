package org.hyphae.consensus.pow.internal;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;
import org.hyphae.transport.testkit.TestIdentity;

/**
 * The miner's hash rate against the JDK's raw SHA-256 on the same machine in the same run: for 1
 * to n threads, nonces per second per thread through {@link PowEngine#search} (as the miner runs
 * it) and plain {@code MessageDigest.digest} calls on a 40-byte message (the per-nonce input),
 * and a 224-byte one (the whole header, what hashing it per nonce would cost). Prints the ratio
 * of the search to the raw 40-byte rate per thread count.
 *
 * <p>Argument: seconds per measurement (default 3). Not a test: run it as a main class (see
 * benchmarks/README.md).
 */
public final class PowHashBenchmark {

    public static void main(String[] args) throws Exception {
        long millis = (args.length > 0 ? Long.parseLong(args[0]) : 3) * 1000;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("machine: %d cores, load average %.2f, java %s%n", cores,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                System.getProperty("java.version"));
        BlockHeader header = new BlockHeader(Hash.sha256(new byte[] {1}), 12345, System.currentTimeMillis(), Hash.sha256(new byte[] {2}),
                Hash.sha256(new byte[] {3}), Optional.of(TestIdentity.fromSeedByte(5).peerId()), new byte[0]);
        byte[] target = Targets.toBytes(BigInteger.ZERO); // never met: every nonce is tried
        int headerLength = "hyphae/pow/v1".length() + header.unsealedBytes().length + 32 + 8;
        System.out.printf("per-nonce input 40 bytes (1 SHA-256 block); whole header with nonce %d bytes (%d blocks)%n", headerLength,
                (headerLength + 9 + 63) / 64);
        measure("warm-up", 1, 1000, t -> mineLoop(header, target, t), false);
        measure("warm-up", 1, 1000, t -> rawLoop(40, t), false);
        measure("raw SHA-256, whole header", 1, millis, t -> rawLoop(headerLength, t), true);
        for (int threads = 1; threads <= cores; threads *= 2) {
            double raw = measure("raw SHA-256, 40 bytes", threads, millis, t -> rawLoop(40, t), true);
            double mine = measure("pow search", threads, millis, t -> mineLoop(header, target, t), true);
            System.out.printf("  %d thread(s): pow search / raw SHA-256 = %.2f%n", threads, mine / raw);
        }
        System.out.printf("load average after: %.2f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** A loop body: hashes done until the deadline. */
    private interface Loop {
        long run(long deadlineNanos) throws Exception;
    }

    private static long mineLoop(BlockHeader header, byte[] target, long deadline) {
        byte[] digest = PowSeal.headerDigest(header, target);
        long n = 0;
        while (System.nanoTime() < deadline) {
            if (PowEngine.search(digest, target, n, 4096).isPresent()) {
                throw new IllegalStateException("met an impossible target");
            }
            n += 4096;
        }
        return n;
    }

    private static long rawLoop(int length, long deadline) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] in = new byte[length];
        byte[] out = new byte[32];
        long n = 0;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 4096; i++) {
                in[0] = (byte) i;
                md.update(in);
                md.digest(out, 0, 32);
            }
            n += 4096;
        }
        return n;
    }

    /** Runs the loop on {@code threads} threads; returns hashes per second per thread. */
    private static double measure(String what, int threads, long millis, Loop loop, boolean print) throws Exception {
        AtomicLong total = new AtomicLong();
        long deadline = System.nanoTime() + millis * 1_000_000;
        List<Thread> ts = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    total.addAndGet(loop.run(deadline));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double perThread = total.get() / seconds / threads;
        if (print) {
            System.out.printf("%s: %d thread(s): %.2f M hashes/s per thread, %.2f M/s in all%n", what, threads, perThread / 1e6,
                    perThread * threads / 1e6);
        }
        return perThread;
    }
}
