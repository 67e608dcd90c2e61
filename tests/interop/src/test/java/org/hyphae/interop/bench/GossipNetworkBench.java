package org.hyphae.interop.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.hyphae.interop.JsProcess;
import org.hyphae.tests.support.NodeProcess;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * GossipSub over the real network (a main class, not a test): N Hyphae nodes (the assembled node,
 * one process each, driven through the shell) or N js-libp2p nodes with @libp2p/gossipsub (one
 * process each), on 127.0.0.1, connected in a ring with random chords, all subscribed to one topic.
 * Random nodes publish 1 KiB messages at a fixed rate; the benchmark prints the delivery latency
 * to every other subscriber (p50/p99), the rate sustained, and for Hyphae the duplicates per
 * delivered message. Same topology, rate and size for both kinds, run one after the other.
 *
 * <p>Run from tests/interop with the test classpath and the same system properties Surefire sets
 * (hyphae.interop.js.dir, hyphae.distribution, hyphae.test.gossipsub); arguments
 * {@code [hyphae|js|both] [nodes=8] [degree=4] [messages=300] [rate=50]}.
 */
public final class GossipNetworkBench {

    private static final String TOPIC = "bench";
    private static final String WARM = "warm";
    private static final Pattern DELIVERY = Pattern.compile("\\[(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d)\\] bench from \\S+: b-(\\d+)-(\\d+)-");
    private static final Pattern DUPLICATES = Pattern.compile("duplicates=(\\d+)");

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "both";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int degree = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int messages = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        int rate = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        List<int[]> links = GossipScaleBench.topology(n, degree, 7);
        if (!kind.equals("js")) {
            hyphae(n, links, messages, rate);
        }
        if (!kind.equals("hyphae")) {
            js(n, links, messages, rate);
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------ Hyphae

    private static void hyphae(int n, List<int[]> links, int messages, int rate) throws Exception {
        Path work = Files.createTempDirectory("gossip-bench");
        Path home = NodeProcess.copyDistribution(work.resolve("node"));
        try (Stream<Path> b = Files.list(home.resolve("bundles"))) {
            if (b.noneMatch(p -> p.getFileName().toString().startsWith("org.hyphae.pubsub.gossipsub"))) {
                Files.copy(Path.of(System.getProperty("hyphae.test.gossipsub")), home.resolve("deploy/gossipsub.jar"));
            }
        }
        List<NodeProcess> nodes = new ArrayList<>();
        List<Writer> shells = new ArrayList<>();
        List<String> addrs = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                NodeProcess p = NodeProcess.start(home, Files.createDirectories(work.resolve("n" + i)), "--port", "0");
                nodes.add(p);
                shells.add(p.stdin());
            }
            for (NodeProcess p : nodes) {
                p.awaitLine(l -> l.startsWith("Node ready in"), 120);
                addrs.add(Stream.of(p.output().split("\n"))
                        .filter(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"))
                        .map(l -> l.substring("Swarm listening on ".length()).trim()).findFirst().orElseThrow());
            }
            for (int i = 0; i < n; i++) {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!nodes.get(i).output().contains("no topics (hyphae:sub") && !nodes.get(i).output().contains(" peer(s)")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("pubsub not up on node " + i + ":\n" + nodes.get(i).output());
                    }
                    cmd(shells.get(i), "hyphae:topics");
                    Thread.sleep(300);
                }
                cmd(shells.get(i), "hyphae:sub " + TOPIC);
                cmd(shells.get(i), "hyphae:sub " + WARM);
            }
            for (int[] l : links) {
                cmd(shells.get(l[0]), "hyphae:connect " + addrs.get(l[1]));
            }
            Thread.sleep(5000); // identify, streams, a few heartbeats for the meshes
            // Warm-up (JIT): the same load on another topic, not measured.
            int per = messages / n;
            for (int i = 0; i < n; i++) {
                cmd(shells.get(i), "hyphae:pubbench " + WARM + " " + per + " " + Math.max(1, rate / n) + " 1024 " + i * per);
            }
            Thread.sleep(1000L * per / Math.max(1, rate / n) + 5000);
            long duplicatesBefore = duplicates(nodes, shells);
            long start = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                cmd(shells.get(i), "hyphae:pubbench " + TOPIC + " " + per + " " + Math.max(1, rate / n) + " 1024 " + i * per);
            }
            int[] publisher = new int[per * n];
            for (int k = 0; k < publisher.length; k++) {
                publisher[k] = k / per;
            }
            messages = per * n;
            // Do not poll while the load runs: collecting the output costs CPU the nodes need.
            Thread.sleep(1000L * per / Math.max(1, rate / n) + 1000);
            List<Long> latencies = new ArrayList<>();
            long last = 0;
            long deadline = System.currentTimeMillis() + 60_000;
            while (true) {
                latencies.clear();
                last = 0;
                for (int i = 0; i < n; i++) {
                    Matcher m = DELIVERY.matcher(nodes.get(i).output());
                    long day = LocalDate.now().atStartOfDay(ZoneId.systemDefault()).toInstant().toEpochMilli();
                    while (m.find()) {
                        int k = Integer.parseInt(m.group(2));
                        if (publisher[k] == i) {
                            continue; // its own subscription
                        }
                        long at = day + LocalTime.parse(m.group(1)).toNanoOfDay() / 1_000_000;
                        latencies.add(at - Long.parseLong(m.group(3)));
                        last = Math.max(last, at);
                    }
                }
                if (latencies.size() >= (long) messages * (n - 1) || System.currentTimeMillis() > deadline) {
                    break;
                }
                Thread.sleep(2000);
            }
            long dups = duplicates(nodes, shells) - duplicatesBefore;
            report("hyphae", n, links.size(), messages, rate, latencies, (long) messages * (n - 1), start, last,
                    String.format("%.2f", (double) dups / Math.max(1, latencies.size())));
        } finally {
            for (NodeProcess p : nodes) {
                p.close();
            }
        }
    }

    /** The sum over the nodes of the router's duplicate counter, read through hyphae:pubsub. */
    private static long duplicates(List<NodeProcess> nodes, List<Writer> shells) throws Exception {
        for (Writer w : shells) {
            cmd(w, "hyphae:pubsub");
        }
        Thread.sleep(1500);
        long total = 0;
        for (NodeProcess p : nodes) {
            Matcher m = DUPLICATES.matcher(p.output());
            long d = 0;
            while (m.find()) {
                d = Long.parseLong(m.group(1));
            }
            total += d;
        }
        return total;
    }

    private static void cmd(Writer w, String line) throws IOException {
        w.write(line + "\n");
        w.flush();
    }

    // ------------------------------------------------------------------------------------ js

    private static void js(int n, List<int[]> links, int messages, int rate) throws Exception {
        List<JsProcess> nodes = new ArrayList<>();
        List<String> addrs = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                JsProcess p = JsProcess.start("libp2p-gossip.mjs");
                nodes.add(p);
                addrs.add(p.call("start", "quiet", true).get("addrs").get(0).asText());
                p.call("subscribe", "topic", TOPIC);
                p.call("subscribe", "topic", WARM);
            }
            for (int[] l : links) {
                nodes.get(l[0]).call("dial", "addr", addrs.get(l[1]));
            }
            Thread.sleep(5000);
            int per = messages / n;
            for (int i = 0; i < n; i++) {
                nodes.get(i).call("publishMany", "topic", WARM, "count", per, "rate", Math.max(1, rate / n), "size", 1024,
                        "first", i * per);
            }
            Thread.sleep(1000L * per / Math.max(1, rate / n) + 5000);
            long start = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                nodes.get(i).call("publishMany", "topic", TOPIC, "count", per, "rate", Math.max(1, rate / n), "size", 1024,
                        "first", i * per);
            }
            messages = per * n;
            // Do not poll while the load runs: collecting the output costs CPU the nodes need.
            Thread.sleep(1000L * per / Math.max(1, rate / n) + 1000);
            List<Long> latencies = new ArrayList<>();
            long last = 0;
            long deadline = System.currentTimeMillis() + 60_000;
            while (true) {
                latencies.clear();
                last = 0;
                for (int i = 0; i < n; i++) {
                    JsonNode got = nodes.get(i).call("received", "topic", TOPIC, "textOnly", true).get("messages");
                    for (JsonNode m : got) {
                        if (!m.get("text").asText().startsWith("b-")) {
                            continue; // warm-up
                        }
                        String[] parts = m.get("text").asText().split("-");
                        long at = m.get("at").asLong();
                        latencies.add(at - Long.parseLong(parts[2]));
                        last = Math.max(last, at);
                    }
                }
                if (latencies.size() >= (long) messages * (n - 1) || System.currentTimeMillis() > deadline) {
                    break;
                }
                Thread.sleep(2000);
            }
            report("js", n, links.size(), messages, rate, latencies, (long) messages * (n - 1), start, last, "n/a");
        } finally {
            for (JsProcess p : nodes) {
                p.close();
            }
        }
    }

    private static void report(String kind, int n, int links, int messages, int rate, List<Long> latencies, long expected,
            long start, long last, String dups) {
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        double seconds = Math.max(1, last - start) / 1000.0;
        System.out.printf("[bench] %s: %d nodes, %d links, %d x 1 KiB at %d/s: delivered %d of %d; latency p50 %d ms, "
                + "p99 %d ms, max %d ms; sustained %.1f msg/s; duplicates per delivery %s%n", kind, n, links, messages,
                rate, sorted.length, expected, pct(sorted, 0.5), pct(sorted, 0.99),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1], messages / seconds, dups);
    }

    private static long pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    private GossipNetworkBench() {
    }
}
