package org.hyphae.kadsim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.hyphae.discovery.kad.internal.KadDht;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;

/**
 * Peer lookups from this JVM's nodes to targets anywhere in the network: each a FIND_NODE lookup
 * that does not answer from the asker's own table ({@link KadDht#findPeerTraced}). A lookup
 * succeeds when it returns the target's real address.
 */
public final class LookupRun {

    /** One lookup's outcome. */
    public record Result(boolean found, int hops, int queried, long micros) {
    }

    /** A target: a peer and the address it listens on. */
    public record Target(PeerId peer, Multiaddr address) {
    }

    private LookupRun() {
    }

    public static List<Result> run(List<SimNodes.Node> askers, List<Target> targets, int count, int concurrency,
            Random random) throws InterruptedException {
        List<Result> results = Collections.synchronizedList(new ArrayList<>());
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SimNodes.Node asker = askers.get(random.nextInt(askers.size()));
            Target target = targets.get(random.nextInt(targets.size()));
            if (target.peer().equals(asker.peer())) {
                i--;
                continue;
            }
            slots.acquire();
            long start = System.nanoTime();
            Multiaddr expected = target.address().withoutPeerId();
            all.add(asker.dht().findPeerTraced(target.peer()).toCompletableFuture().orTimeout(2, TimeUnit.MINUTES)
                    .whenComplete((trace, e) -> {
                        long micros = (System.nanoTime() - start) / 1000;
                        if (e != null) {
                            results.add(new Result(false, -1, 0, micros));
                        } else {
                            boolean ok = trace.found().map(p -> p.addresses().contains(expected)).orElse(false);
                            results.add(new Result(ok, trace.hops(), trace.queried(), micros));
                        }
                        slots.release();
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((r, e) -> null).join();
        return List.copyOf(results);
    }

    /** Success rate, hops and latency percentiles of some results, one line. */
    public static String summary(List<Result> results) {
        long ok = results.stream().filter(Result::found).count();
        List<Integer> hops = results.stream().filter(Result::found).map(Result::hops).sorted().toList();
        List<Long> micros = results.stream().map(Result::micros).sorted().toList();
        double queried = results.stream().mapToInt(Result::queried).average().orElse(0);
        return String.format("%d lookups, %d found (%.2f%%), hops p50 %s p99 %s max %s, latency p50 %.1f ms p99 %.1f ms, "
                + "%.1f peers queried on average", results.size(), ok, 100.0 * ok / Math.max(1, results.size()),
                percentile(hops, 50), percentile(hops, 99), hops.isEmpty() ? "-" : hops.get(hops.size() - 1),
                percentile(micros, 50) / 1000.0, percentile(micros, 99) / 1000.0, queried);
    }

    public static double successRate(List<Result> results) {
        return (double) results.stream().filter(Result::found).count() / Math.max(1, results.size());
    }

    public static <T extends Number & Comparable<T>> double percentile(List<T> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))).doubleValue();
    }
}
