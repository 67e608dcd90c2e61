package org.hyphae.ledger.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.hyphae.consensus.pow.internal.PowEngine;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Transaction;
import org.hyphae.storage.memory.MemoryDatastore;
import org.hyphae.transport.testkit.TestIdentity;

/**
 * The ledger under proof of work, in one JVM on the memory datastore: how many mined blocks per
 * second a chain imports (full verification: header, work, body, state), against the rate at which
 * the engine alone verifies the same headers in the same run; and how long a reorg takes, per
 * block moved, against a plain import of the same blocks.
 *
 * <p>Arguments: blocks per branch (default 500), transfers per block (default 50), reorg depths
 * (default 10,100,400). Not a test: run it as a main class (see benchmarks/README.md).
 */
public final class PowBenchmark {

    private final List<TestIdentity> users = new ArrayList<>();
    private final TestIdentity miner = TestIdentity.fromSeedByte(99);
    private final ChainSpec spec;
    private final PowEngine engine = new PowEngine();

    private PowBenchmark(int userCount) {
        for (int i = 0; i < userCount; i++) {
            users.add(TestIdentity.fromSeedByte(1 + i));
        }
        // Easy work (16 hashes a block, no retarget): the figures are the ledger's, not the mining's.
        spec = PowNetworkTest.spec("pow-bench", users, 16, 1_000_000);
    }

    private Chain chain() throws Exception {
        return new Chain(new MemoryDatastore(), spec, n -> PowNetworkTest.pow(n, engine),
                new SignatureVerifier(miner), System::currentTimeMillis, new Chain.Limits(60_000, 10_000));
    }

    /** Mines {@code count} blocks on the source chain's head with transfers from the users, salted so branches differ. */
    private List<Block> mine(Chain source, int count, int txPerBlock, long[] nonces, int salt) throws Exception {
        List<Block> out = new ArrayList<>();
        long time = Math.max(source.head().time() + 1, System.currentTimeMillis() - 50_000);
        for (int i = 0; i < count; i++) {
            List<Transaction> txs = new ArrayList<>();
            for (int t = 0; t < txPerBlock; t++) {
                int u = (i * txPerBlock + t) % users.size();
                TestIdentity from = users.get(u);
                Transaction tx = Transaction.transfer(spec.chainId(), from.peerId(), nonces[u]++, 1 + salt,
                        users.get((u + 1) % users.size()).peerId(), 1);
                txs.add(tx.withSignature(from.sign(tx.signingBytes())));
            }
            BlockHeader head = source.head();
            time = Math.max(time + 1, head.time() + 1);
            Block b = PowEngine.mine(source.view(spec.engineAt(head.height() + 1), Map.of()), source.assemble(head, time, miner.peerId(), txs));
            if (source.importBlock(b) != Chain.Outcome.HEAD) {
                throw new IllegalStateException("mined block not the head");
            }
            out.add(b);
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int txPerBlock = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        String depths = args.length > 2 ? args[2] : "10,100,400";
        System.out.printf("machine: %d cores, load average %.2f, java %s%n", Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), System.getProperty("java.version"));
        PowBenchmark bench = new PowBenchmark(200);

        // Blocks to import: mined once on a source chain.
        Chain source = bench.chain();
        List<Block> run = bench.mine(source, blocks, txPerBlock, new long[bench.users.size()], 0);

        // The engine alone on the same headers.
        var view = source.view(bench.spec.engineAt(1), Map.of());
        long t0 = System.nanoTime();
        int rounds = 0;
        while (System.nanoTime() - t0 < 2_000_000_000L) {
            BlockHeader parent = source.genesis().header();
            for (Block b : run) {
                bench.engine.verifyHeader(view, parent, b.header());
                parent = b.header();
            }
            rounds++;
        }
        double engineRate = rounds * (double) run.size() / ((System.nanoTime() - t0) / 1e9);

        // Full import into fresh chains (first pass warms the JIT).
        double importRate = 0;
        for (int pass = 0; pass < 2; pass++) {
            Chain target = bench.chain();
            long t1 = System.nanoTime();
            for (Block b : run) {
                if (target.importBlock(b) != Chain.Outcome.HEAD) {
                    throw new IllegalStateException("block #" + b.height() + " not imported as head");
                }
            }
            importRate = run.size() / ((System.nanoTime() - t1) / 1e9);
        }
        System.out.printf("import: %d blocks of %d transfers: %.0f blocks/s (%.0f tx/s); engine verification alone %.0f headers/s;"
                + " import / engine = %.3f%n", run.size(), txPerBlock, importRate, importRate * txPerBlock, engineRate, importRate / engineRate);
        Chain empty = bench.chain();
        List<Block> emptyRun = bench.mine(empty, blocks, 0, new long[bench.users.size()], 0);
        Chain emptyTarget = bench.chain();
        long t2 = System.nanoTime();
        for (Block b : emptyRun) {
            emptyTarget.importBlock(b);
        }
        double emptyRate = emptyRun.size() / ((System.nanoTime() - t2) / 1e9);
        System.out.printf("import: %d empty blocks: %.0f blocks/s; import / engine = %.3f%n", emptyRun.size(), emptyRate, emptyRate / engineRate);

        // Reorgs: a chain on branch A of depth d, then branch B of depth d+1 from the same parent.
        for (String ds : depths.split(",")) {
            int d = Integer.parseInt(ds.trim());
            Chain a = bench.chain();
            Chain b = bench.chain();
            long[] na = new long[bench.users.size()];
            long[] nb = new long[bench.users.size()];
            List<Block> branchA = bench.mine(a, d, txPerBlock, na, 0);
            List<Block> branchB = bench.mine(b, d + 1, txPerBlock, nb, 1);
            Chain node = bench.chain();
            long ti = System.nanoTime();
            for (Block x : branchA) {
                node.importBlock(x);
            }
            double importMs = (System.nanoTime() - ti) / 1e6;
            for (int i = 0; i < d; i++) {
                if (node.importBlock(branchB.get(i)) != Chain.Outcome.SIDE) {
                    throw new IllegalStateException("branch B block " + i + " not a side block");
                }
            }
            long tr = System.nanoTime();
            Chain.Outcome o = node.importBlock(branchB.get(d));
            double reorgMs = (System.nanoTime() - tr) / 1e6;
            if (o != Chain.Outcome.REORG) {
                throw new IllegalStateException("expected a reorg, got " + o);
            }
            System.out.printf("reorg: %d blocks out, %d in (%d transfers each): %.1f ms (%.3f ms a block moved);"
                    + " importing branch A took %.1f ms (%.3f ms a block); reorg / import per block = %.2f%n",
                    d, d + 1, txPerBlock, reorgMs, reorgMs / (2 * d + 1), importMs, importMs / d, (reorgMs / (2 * d + 1)) / (importMs / d));
        }
        System.out.printf("load average after: %.2f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
