package org.hyphae.pubsub.gossipsub.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;

/**
 * Router benchmark (a main class, not a test): N GossipSub routers in one JVM over the in-memory
 * stream double (no sockets, Noise or yamux), real clock and 1 s heartbeats, every node subscribed,
 * random publishers sending 1 KiB signed messages at a fixed rate. Prints delivery latency
 * percentiles to all subscribers, the rate sustained, and duplicates per delivered message. All
 * routers share this machine's cores, so the figures are the whole network's CPU cost on one box,
 * including N signature verifications per message.
 *
 * <p>Run: {@code java -cp <test classpath> org.hyphae.pubsub.gossipsub.internal.GossipBench
 * [nodes=100] [degree=10] [messages=2000] [rate=200] [size=1024]}
 */
public final class GossipBench {

    public static void main(String[] args) throws Exception {
        int nodes = arg(args, 0, 100);
        int degree = arg(args, 1, 10);
        int messages = arg(args, 2, 2000);
        int rate = arg(args, 3, 200);
        int size = arg(args, 4, 1024);
        String topic = "bench";

        MemoryNetwork net = new MemoryNetwork();
        List<MemoryNode> hosts = new ArrayList<>();
        List<GossipRouter> routers = new ArrayList<>();
        long[] latencies = new long[messages * nodes];
        AtomicInteger deliveries = new AtomicInteger();
        AtomicLong lastDelivery = new AtomicLong();
        for (int i = 0; i < nodes; i++) {
            MemoryNode host = net.node();
            GossipRouter r = new GossipRouter(() -> host, host.identity(), RouterParams.defaults(),
                    ScoreParams.defaults(), t -> List.of(), System::nanoTime).start();
            for (String p : GossipRouter.PROTOCOLS) {
                host.handle(p, r::handleInbound);
            }
            hosts.add(host);
            routers.add(r);
        }
        Random rnd = new Random(1);
        Set<String> links = new HashSet<>();
        for (int i = 0; i < nodes; i++) {
            link(net, hosts, links, i, (i + 1) % nodes);
            while (count(links, i, nodes) < degree) {
                link(net, hosts, links, i, rnd.nextInt(nodes));
            }
        }
        for (GossipRouter r : routers) {
            r.subscribe(topic, m -> {
                long sent = ByteBuffer.wrap(m.data(), 0, 8).getLong();
                int n = deliveries.getAndIncrement();
                if (n < latencies.length) {
                    latencies[n] = System.nanoTime() - sent;
                }
                lastDelivery.set(System.nanoTime());
            });
        }
        System.out.printf("%d routers, %d links, waiting 5 s for meshes...%n", nodes, links.size());
        Thread.sleep(5000);
        int meshMin = Integer.MAX_VALUE;
        int meshMax = 0;
        for (GossipRouter r : routers) {
            int m = r.mesh(topic).get().size();
            meshMin = Math.min(meshMin, m);
            meshMax = Math.max(meshMax, m);
        }
        System.out.printf("mesh degree in [%d, %d]%n", meshMin, meshMax);

        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        for (int k = 0; k < messages; k++) {
            long due = start + k * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            byte[] data = new byte[size];
            ByteBuffer.wrap(data).putLong(System.nanoTime()).putInt(k);
            routers.get(rnd.nextInt(nodes)).publish(topic, data);
        }
        long published = System.nanoTime();
        long expected = (long) messages * nodes;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (deliveries.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int got = Math.min(deliveries.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, got);
        Arrays.sort(sorted);
        long dups = 0;
        for (GossipRouter r : routers) {
            dups += r.stats().duplicates();
        }
        double seconds = (lastDelivery.get() - start) / 1e9;
        System.out.printf("published %d x %d B at %d/s in %.2f s; delivered %d of %d%n", messages, size, rate,
                (published - start) / 1e9, got, expected);
        System.out.printf("latency to every subscriber: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", pct(sorted, 0.50),
                pct(sorted, 0.99), got == 0 ? 0 : sorted[got - 1] / 1e6);
        System.out.printf("sustained: %.0f messages/s (%.0f deliveries/s)%n", messages / seconds, got / seconds);
        System.out.printf("duplicates per delivered message: %.2f%n", (double) dups / Math.max(1, got));
        for (GossipRouter r : routers) {
            r.close();
        }
        net.close();
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    private static void link(MemoryNetwork net, List<MemoryNode> hosts, Set<String> links, int i, int j) {
        if (i != j && links.add(Math.min(i, j) + "-" + Math.max(i, j))) {
            net.connect(hosts.get(i), hosts.get(j));
        }
    }

    private static int count(Set<String> links, int i, int n) {
        int c = 0;
        for (String l : links) {
            String[] p = l.split("-");
            if (Integer.parseInt(p[0]) == i || Integer.parseInt(p[1]) == i) {
                c++;
            }
        }
        return c;
    }

    private static int arg(String[] args, int i, int def) {
        return args.length > i ? Integer.parseInt(args[i]) : def;
    }
}
