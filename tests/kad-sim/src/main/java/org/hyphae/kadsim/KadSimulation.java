package org.hyphae.kadsim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.hyphae.transport.Multiaddr;

/**
 * The Kademlia scale simulation (issue 5): {@code --nodes N} Hyphae DHT nodes spread over
 * {@code --jvms J} worker JVMs on this machine, real {@code /ipfs/kad/1.0.0} over TCP on 127.0.0.1
 * through the real host stack. Phases: start and bootstrap every node (from three seeds), one
 * {@code --lookups L} peer lookups between random nodes; then churn: a third of the nodes leave
 * (without a word), as many new ones join (bootstrapping from random survivors), and {@code L}
 * lookups again at once. Prints success rate,
 * hops and latency p50/p99, memory and threads per node, and the targets: 99 % success and median
 * hops at most log2(N)/4 + 1. Every node's bootstrap refreshes all its buckets; {@code --refresh true}
 * adds a refresh round of every node before the first lookups and after the churn.
 *
 * <p>The coordinator (this main class without {@code --worker}) holds no node; it starts the
 * workers ({@code --worker}, same class path) and drives them over their stdin/stdout, one command
 * and one answer per line.
 *
 * <pre>
 * java -Xmx512m -cp ... org.hyphae.kadsim.KadSimulation --nodes 1000 --jvms 4 --lookups 2000 --heap 3g
 * </pre>
 */
public final class KadSimulation {

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        quietLogs();
        if (opts.containsKey("worker")) {
            new Worker().run();
        } else {
            coordinate(Integer.parseInt(opts.getOrDefault("nodes", "1000")), Integer.parseInt(opts.getOrDefault("jvms", "4")),
                    Integer.parseInt(opts.getOrDefault("lookups", "2000")), opts.getOrDefault("heap", "3g"),
                    Long.parseLong(opts.getOrDefault("seed", "1")), Boolean.parseBoolean(opts.getOrDefault("refresh", "false")));
        }
    }

    static void quietLogs() {
        Logger.getLogger("org.hyphae").setLevel(Level.WARNING);
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String name = args[i].substring(2);
            if (name.equals("worker")) {
                out.put(name, "true");
            } else if (i + 1 < args.length) {
                out.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ coordinator

    /** A worker JVM seen from the coordinator. */
    private static final class WorkerProcess {
        final int index;
        final Process process;
        final BufferedReader out;
        final PrintWriter in;
        final List<LookupRun.Target> nodes = new ArrayList<>();

        WorkerProcess(int index, Process process) {
            this.index = index;
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        void send(String command) {
            in.println(command);
        }

        /** Lines up to the one starting with {@code done} (returned last). */
        List<String> until(String done) throws IOException {
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith(done)) {
                    return lines;
                }
            }
            throw new IOException("worker " + index + " ended before " + done + " (exit " + waitExit() + ")");
        }

        int waitExit() {
            try {
                return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
            } catch (InterruptedException e) {
                return -1;
            }
        }
    }

    private static void coordinate(int n, int jvms, int lookups, String heap, long seed, boolean refreshRounds)
            throws Exception {
        PrintStream o = new PrintStream(new org.hyphae.kadsim.Tee(System.out, Path.of("kadsim-report.txt")), true);
        Random random = new Random(seed);
        o.printf("kad simulation: %d nodes in %d worker JVMs (-Xmx%s each), %d lookups per phase, Java %s, %d cores, load %.1f%n",
                n, jvms, heap, lookups, Runtime.version(), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path dir = Files.createTempDirectory("kadsim");
        List<WorkerProcess> workers = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int w = 0; w < jvms; w++) {
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heap, "-XX:+UseParallelGC", "-Xss512k",
                    "-cp", System.getProperty("java.class.path"), KadSimulation.class.getName(), "--worker")
                    .redirectError(dir.resolve("worker-" + w + ".log").toFile());
            workers.add(new WorkerProcess(w, pb.start()));
        }
        try {
            long t0 = System.nanoTime();
            // Start the nodes: n / jvms per worker.
            for (WorkerProcess w : workers) {
                w.send("START " + (n / jvms + (w.index < n % jvms ? 1 : 0)));
            }
            for (WorkerProcess w : workers) {
                w.nodes.addAll(targets(w.until("STARTED")));
            }
            List<LookupRun.Target> all = allNodes(workers);
            List<LookupRun.Target> seeds = all.subList(0, 3);
            o.printf("started %d nodes in %.1f s%n", all.size(), secs(t0));

            // Bootstrap: the seeds first (from each other), then everyone in waves from the seeds.
            long t1 = System.nanoTime();
            WorkerProcess first = workers.get(0);
            first.send("BOOTSTRAP 3 " + addrs(seeds));
            first.until("BOOTSTRAPPED");
            for (WorkerProcess w : workers) {
                w.send("BOOTSTRAP 0 " + addrs(seeds));
            }
            for (WorkerProcess w : workers) {
                o.println("  worker " + w.index + ": " + last(w.until("BOOTSTRAPPED")));
            }
            o.printf("bootstrapped in %.1f s%n", secs(t1));
            if (refreshRounds) {
                broadcast(workers, "REFRESH", "REFRESHED");
                o.printf("one refresh round done at %.1f s%n", secs(t1));
            }
            report(o, "before churn", workers, all, lookups, n, random, dir);

            // Churn: a third leave, as many join from random survivors.
            List<LookupRun.Target> left = new ArrayList<>();
            for (WorkerProcess w : workers) {
                w.send("LEAVE " + (w.nodes.size() / 3));
            }
            for (WorkerProcess w : workers) {
                List<LookupRun.Target> gone = targets(w.until("LEFT"));
                w.nodes.removeAll(gone);
                left.addAll(gone);
            }
            List<LookupRun.Target> survivors = allNodes(workers);
            Collections.shuffle(survivors, random);
            long t2 = System.nanoTime();
            for (WorkerProcess w : workers) {
                w.send("JOIN " + (n / jvms + (w.index < n % jvms ? 1 : 0) - w.nodes.size()) + " "
                        + addrs(survivors.subList(0, Math.min(30, survivors.size()))));
            }
            for (WorkerProcess w : workers) {
                w.nodes.addAll(targets(w.until("JOINED")));
            }
            all = allNodes(workers);
            o.printf("churn: %d nodes left, %d joined in %.1f s; %d nodes now%n", left.size(),
                    all.size() - survivors.size(), secs(t2), all.size());
            report(o, "after churn, at once", workers, all, lookups, n, random, dir);
            if (refreshRounds) {
                broadcast(workers, "REFRESH", "REFRESHED");
                report(o, "after churn and one refresh round", workers, all, lookups, n, random, dir);
            }
        } finally {
            for (WorkerProcess w : workers) {
                w.send("QUIT");
            }
            for (WorkerProcess w : workers) {
                if (w.waitExit() == -1) {
                    w.process.destroy();
                }
            }
            o.println("worker logs: " + dir);
        }
    }

    private static void report(PrintStream o, String phase, List<WorkerProcess> workers, List<LookupRun.Target> all,
            int lookups, int n, Random random, Path dir) throws IOException {
        Path targetFile = dir.resolve("targets.txt");
        List<String> lines = new ArrayList<>();
        for (LookupRun.Target t : all) {
            lines.add(t.address().toString());
        }
        Files.write(targetFile, lines);
        long t = System.nanoTime();
        for (WorkerProcess w : workers) {
            w.send("LOOKUP " + (lookups / workers.size()) + " " + random.nextLong() + " " + targetFile);
        }
        List<LookupRun.Result> results = new ArrayList<>();
        for (WorkerProcess w : workers) {
            for (String line : w.until("LOOKEDUP")) {
                if (line.startsWith("R ")) {
                    String[] p = line.split(" ");
                    results.add(new LookupRun.Result(p[1].equals("1"), Integer.parseInt(p[2]), Integer.parseInt(p[3]),
                            Long.parseLong(p[4])));
                }
            }
        }
        double wall = secs(t);
        o.printf("%s (%d nodes): %s; %.0f lookups/s%n", phase, all.size(), LookupRun.summary(results), results.size() / wall);
        List<Integer> hops = results.stream().filter(LookupRun.Result::found).map(LookupRun.Result::hops).sorted().toList();
        double limit = Math.log(n) / Math.log(2) / 4 + 1;
        double success = LookupRun.successRate(results);
        o.printf("  targets: success %.2f%% (>= 99%%: %s), median hops %.0f vs log2(%d)/4 + 1 = %.2f (ratio %.2f: %s)%n",
                100 * success, success >= 0.99 ? "met" : "MISSED", LookupRun.percentile(hops, 50), n, limit,
                LookupRun.percentile(hops, 50) / limit, LookupRun.percentile(hops, 50) <= limit ? "met" : "MISSED");
        long heap = 0;
        long rss = 0;
        int nodes = 0;
        int threads = 0;
        int fds = 0;
        int conns = 0;
        for (WorkerProcess w : workers) {
            w.send("MEM");
        }
        for (WorkerProcess w : workers) {
            String[] p = last(w.until("MEM")).split(" ");
            nodes += Integer.parseInt(p[1]);
            heap += Long.parseLong(p[2]);
            rss += Long.parseLong(p[3]);
            threads += Integer.parseInt(p[4]);
            fds += Integer.parseInt(p[5]);
            conns += Integer.parseInt(p[6]);
        }
        o.printf("  memory: heap after GC %.0f MiB (%.0f KiB per node), RSS %.0f MiB (%.0f KiB per node); "
                + "%d threads (%.1f per node), %d fds, %d connection ends (%.1f per node)%n",
                heap / 1048576.0, heap / 1024.0 / nodes, rss / 1048576.0, rss / 1024.0 / nodes, threads,
                (double) threads / nodes, fds, conns, (double) conns / nodes);
    }

    private static void broadcast(List<WorkerProcess> workers, String command, String done) throws IOException {
        for (WorkerProcess w : workers) {
            w.send(command);
        }
        for (WorkerProcess w : workers) {
            w.until(done);
        }
    }

    private static List<LookupRun.Target> allNodes(List<WorkerProcess> workers) {
        List<LookupRun.Target> all = new ArrayList<>();
        workers.forEach(w -> all.addAll(w.nodes));
        return all;
    }

    /** NODE lines as targets. */
    private static List<LookupRun.Target> targets(List<String> lines) {
        List<LookupRun.Target> out = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("NODE ")) {
                Multiaddr a = Multiaddr.parse(line.substring(5).trim());
                out.add(new LookupRun.Target(a.peerId().orElseThrow(), a));
            }
        }
        return out;
    }

    private static String addrs(List<LookupRun.Target> targets) {
        return String.join(",", targets.stream().map(t -> t.address().toString()).toList());
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    private static double secs(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    // ------------------------------------------------------------------ worker

    /** Runs the nodes of one JVM, one command per stdin line. */
    private static final class Worker {
        private final PrintStream out = System.out;
        private final Random random = new Random();

        void run() throws Exception {
            // Nothing but answers on stdout: the coordinator parses it.
            System.setOut(System.err);
            try (SimNodes sim = new SimNodes(SimNodes.Settings.defaults())) {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    String[] p = line.split(" ");
                    switch (p[0]) {
                        case "START" -> {
                            for (int i = 0; i < Integer.parseInt(p[1]); i++) {
                                out.println("NODE " + sim.start().address());
                            }
                            out.println("STARTED");
                        }
                        case "BOOTSTRAP" -> {
                            int onlyFirst = Integer.parseInt(p[1]);
                            List<Multiaddr> seeds = parseAddrs(p[2]);
                            List<SimNodes.Node> which = sim.nodes();
                            if (onlyFirst > 0) {
                                which = which.subList(0, onlyFirst);
                            } else {
                                // Seeds bootstrapped already (BOOTSTRAP 3 on worker 0).
                                which = which.stream().filter(x -> !seeds.contains(x.address())).toList();
                            }
                            long t = System.nanoTime();
                            int failed = sim.bootstrap(which, seeds, 6, random);
                            out.printf("BOOTSTRAPPED %d nodes in %.1f s, %d failed%n", which.size(), secs(t), failed);
                        }
                        case "REFRESH" -> {
                            sim.refreshAll(6);
                            out.println("REFRESHED");
                        }
                        case "LOOKUP" -> {
                            List<LookupRun.Target> targets = new ArrayList<>();
                            for (String a : Files.readAllLines(Path.of(p[3]))) {
                                Multiaddr m = Multiaddr.parse(a);
                                targets.add(new LookupRun.Target(m.peerId().orElseThrow(), m));
                            }
                            List<LookupRun.Result> results = LookupRun.run(sim.nodes(), targets, Integer.parseInt(p[1]), 12,
                                    new Random(Long.parseLong(p[2])));
                            for (LookupRun.Result r : results) {
                                out.println("R " + (r.found() ? 1 : 0) + " " + r.hops() + " " + r.queried() + " " + r.micros());
                            }
                            out.println("LOOKEDUP");
                        }
                        case "LEAVE" -> {
                            List<SimNodes.Node> nodes = new ArrayList<>(sim.nodes());
                            Collections.shuffle(nodes, random);
                            for (SimNodes.Node node : nodes.subList(0, Integer.parseInt(p[1]))) {
                                out.println("NODE " + node.address());
                                sim.stop(node);
                            }
                            out.println("LEFT");
                        }
                        case "JOIN" -> {
                            List<SimNodes.Node> joined = new ArrayList<>();
                            for (int i = 0; i < Integer.parseInt(p[1]); i++) {
                                SimNodes.Node node = sim.start();
                                joined.add(node);
                                out.println("NODE " + node.address());
                            }
                            int failed = sim.bootstrap(joined, parseAddrs(p[2]), 6, random);
                            out.println("JOINED " + failed + " failed");
                        }
                        case "MEM" -> {
                            System.gc();
                            Thread.sleep(200);
                            System.gc();
                            Runtime rt = Runtime.getRuntime();
                            long heap = rt.totalMemory() - rt.freeMemory();
                            out.println("MEM " + sim.nodes().size() + " " + heap + " " + rssBytes() + " "
                                    + Thread.activeCount() + " " + openFds() + " " + sim.connections());
                        }
                        case "QUIT" -> {
                            return;
                        }
                        default -> out.println("ERROR unknown command " + p[0]);
                    }
                    out.flush();
                }
            }
        }

        private static List<Multiaddr> parseAddrs(String csv) {
            List<Multiaddr> out = new ArrayList<>();
            for (String s : csv.split(",")) {
                out.add(Multiaddr.parse(s));
            }
            return out;
        }

        private static long rssBytes() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
            return -1;
        }

        private static int openFds() {
            String[] fds = Path.of("/proc/self/fd").toFile().list();
            return fds == null ? -1 : fds.length;
        }
    }
}
