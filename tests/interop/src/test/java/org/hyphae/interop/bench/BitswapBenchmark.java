package org.hyphae.interop.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hyphae.interop.JsProcess;
import org.hyphae.tests.support.NodeProcess;
import org.hyphae.tests.support.RandomFiles;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The swarm download benchmark of the file sharing issue (not a test; see benchmarks/README.md).
 * Seeding Hyphae node processes hold the same random file; a fresh fetching node gets it
 * ({@code hyphae:get}) from 1, 2 and 4 of them over TCP on 127.0.0.1, and then unmodified Helia 7
 * from the same seeders. A row runs with only the seeders it uses up (more are started for the next
 * rows). Measured in the same run: one {@code /perf/1.0.0} stream from a seeder to a fresh node (the
 * transport's single-stream limit). Prints throughput, time, the ratios to both, and the fetching
 * node's peak heap (the most in use before a collection, from its GC log). Every seeder first
 * serves a 3 GiB warm-up file twice alone, and every fetching node first fetches it from the same seeders
 * (not measured; Helia its first 512 MiB).
 *
 * <p>Arguments: file size in bytes (default 1 GiB), then optionally the seeder counts (default 1,2,4).
 */
public final class BitswapBenchmark {

    /**
     * The warm-up file: every seeder first serves it alone, and every fetching node first fetches it
     * (Hyphae's and Helia's). 32 MiB left the JIT compiling the fetch path through the measured
     * fetch (4-6 s of a fetcher's C2 threads per GiB), and seeders that had served nothing yet
     * compiled theirs while they served a 4-seeder fetch. After 256 MiB and after 1 GiB the
     * compiler still took 2.6-2.9 s per GiB: code run once per message (about 500 per GiB) reaches
     * C2's thresholds only after several GiB. After 3 GiB it took 1.5-2.6 s, and the whole
     * 1-seeder fetch 13.0-13.5 core-s per GiB instead of 18.5-19.5 (the same code).
     */
    private static final long WARM_UP_BYTES = Long.getLong("bench.warmUpBytes", 3L << 30);
    /**
     * How often each fetcher gets the warm-up file (unpinning and collecting it between). The
     * start of a fetch dials peers the DHT names; the first such dial after the event loop's code
     * was compiled trapped it (branches never taken in a warm-up with one connection), and the
     * recompiling took 2.3-2.7 s of compiler CPU in the measured fetch.
     */
    private static final int WARM_UPS = Integer.getInteger("bench.warmUps", 2);
    /**
     * How often each seeder serves the warm-up file alone before any measured fetch. Bitswap's send
     * of one message (PeerSender.writeNext, about 1,200 calls per GiB) reaches C2 after 4-5 GiB; with
     * one warm-up each of four seeders compiled it in the measured window (1.2-1.9 s of compiler
     * CPU, 2.0 s for one compile of writeNext with 429 methods inlined, and it deoptimized twice after).
     */
    private static final int SEEDER_WARM_UPS = Integer.getInteger("bench.seederWarmUps", 2);
    /**
     * Helia fetches the first part of the warm-up file only: its blockstore is in memory, and a
     * 3 GiB warm-up had the kernel kill it for memory.
     */
    private static final long HELIA_WARM_UP_BYTES = Long.getLong("bench.heliaWarmUpBytes", 512L << 20);
    /** A line of the node's log (the console shows INFO and up): a connection closing elsewhere is no failed fetch. */
    private static final Pattern LOG_LINE = Pattern.compile("\\d\\d:\\d\\d:\\d\\d (INFO|WARNING|ERROR|DEBUG) ");
    private static final Pattern PERF = Pattern.compile("perf-result upload=(\\d+) download=(\\d+) upload_ms=([0-9.]+) total_ms=([0-9.]+)");

    private record Node(NodeProcess process, Writer shell, String addr) {
    }

    public static void main(String[] args) throws Exception {
        long size = args.length > 0 ? Long.parseLong(args[0]) : 1L << 30;
        int[] counts = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 2, 4};
        // On tmpfs where there is one: the disk's fsync rate (shared by everything on this machine) would
        // be measured instead of the exchange; Helia's blockstore is in memory too.
        Path base = Path.of(System.getProperty("hyphae.bench.dir", Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm"
                : System.getProperty("java.io.tmpdir")));
        Path work = Files.createTempDirectory(base, "hyphae-bitswap-bench");
        Path file = work.resolve("file.bin");
        String sha = RandomFiles.write(file, size, 42);
        // Each fetching node, Hyphae's and Helia's, first fetches another file from the same seeders:
        // a node that has run for a while has its JIT warm, and a fresh JVM's first seconds would be
        // measured instead of the exchange (64 MiB took 10 s cold and 3.6 s warm here).
        Path warmFile = work.resolve("warm.bin");
        RandomFiles.write(warmFile, WARM_UP_BYTES, 4242);
        System.out.printf("file: %d bytes (%.0f MiB), load average %s%n", size, size / 1048576.0, load());
        System.out.println("memory: " + HostMemory.describe());

        List<Node> seeders = new ArrayList<>();
        Node fetcher = null;
        try {
            Node first = startSeeder(work, 0);
            seeders.add(first);
            long importStart = System.nanoTime();
            String cid = command(first, "hyphae:add " + file, l -> l.startsWith("bafy") || l.startsWith("bafk"), 3600).trim();
            System.out.printf("seeder 0 imported in %.1f s: %s%n", (System.nanoTime() - importStart) / 1e9, cid);
            String warmCid = command(first, "hyphae:add " + warmFile, l -> l.startsWith("bafy") || l.startsWith("bafk"), 3600).trim();
            warm(work, first, 0, warmCid);

            // The transport's single-stream limit: one perf stream seeder 0 -> a fresh node.
            Node probe = start(work, work.resolve("probe"), NOT_A_SEEDER);
            command(probe, "hyphae:connect " + seeders.get(0).addr(), l -> l.startsWith("connected"), 60);
            // The shell's perf command gives up after 30 s: 256 MiB streams, best of five after 1 GiB of
            // warm-up (a JIT-cold probe measured anywhere from 48 to 130 MB/s after 128 MiB, and the best
            // of five 128 MiB streams after 128 MiB moved between 252 and 392 MB/s from run to run).
            for (int i = 0; i < 8; i++) {
                perf(probe, seeders.get(0).addr(), 128L << 20);
            }
            double limit = 0;
            List<String> tries = new ArrayList<>();
            double[] streams = new double[5];
            long[] perfMachine0 = ThreadCpu.machine();
            for (int i = 0; i < streams.length; i++) {
                double one = perf(probe, seeders.get(0).addr(), 256L << 20);
                streams[i] = one;
                tries.add(String.format("%.0f", one / 1e6));
                limit = Math.max(limit, one);
            }
            // The five streams spread widely here (180-891 MB/s in one run, session 10); the median
            // says how much of the share of the best one is that stream's luck.
            java.util.Arrays.sort(streams);
            double medianStream = streams[streams.length / 2];
            probe.process().terminate(30);
            probe.process().close();
            System.out.printf("transport limit (one perf stream seeder -> node): %.0f MB/s (best of %s; median %.0f)%n",
                    limit / 1e6, String.join(", ", tries), medianStream / 1e6);
            System.out.println("  " + ThreadCpu.machineShares(perfMachine0, ThreadCpu.machine()));

            // A row runs with the seeders it fetches from and no others: idle node processes on these two
            // cores slowed a 1-seeder fetch by a third (68 and 53 MB/s with four seeders up, 104-130 with one).
            // Each seeder, when it comes up, first serves the warm-up file alone (SEEDER_WARM_UPS times).
            double[] hyphae = new double[counts.length];
            double[] helia = new double[counts.length];
            for (int k = 0; k < counts.length; k++) {
                int n = counts[k];
                while (seeders.size() < Math.max(n, Integer.getInteger("bench.seeders", 0))) {
                    Node s = startSeeder(work, seeders.size());
                    warm(work, s, seeders.size(), warmCid);
                    seeders.add(s);
                }
                // bench.fetcherJavaOpts: for profiling runs, e.g. -XX:StartFlightRecording=filename=f.jfr,settings=profile
                Path fetcherDir = work.resolve("fetcher" + k + "-" + n);
                fetcher = start(work, fetcherDir, NOT_A_SEEDER, "-Xlog:gc:file=" + fetcherDir.resolve("gc.log") + " "
                        + System.getProperty("bench.fetcherJavaOpts", ""));
                for (int i = 0; i < n; i++) {
                    command(fetcher, "hyphae:connect " + seeders.get(i).addr(), l -> l.startsWith("connected"), 60);
                }
                warmUps(fetcher, warmCid, work.resolve("warm-out" + n + ".bin"), WARM_UPS, "the fetcher's warm-up from " + n + " seeder(s)");
                Path gcLog = fetcherDir.resolve("gc.log");
                long gcLogStart = Files.size(gcLog);
                Path out = work.resolve("out" + n + ".bin");
                double fetcherCpu0 = cpuSeconds(fetcher);
                // Only the seeders serving this run (with bench.seeders, idle ones are up too).
                List<Node> serving = seeders.subList(0, n);
                double seedersCpu0 = cpuSeconds(serving);
                long fetcherPid = fetcher.process().process().pid();
                long[] seederPids = serving.stream().mapToLong(s -> s.process().process().pid()).toArray();
                Map<String, ThreadCpu.Sample> fetcherThreads0 = ThreadCpu.snapshot(fetcherPid);
                Map<String, ThreadCpu.Sample> seederThreads0 = ThreadCpu.snapshot(seederPids);
                long[] machine0 = ThreadCpu.machine();
                long reported0 = HostMemory.reportedKib();
                java.time.Instant started = java.time.Instant.now();
                long t0 = System.nanoTime();
                String got = command(fetcher, "hyphae:get " + cid + " " + out,
                        l -> l.startsWith("got ") || l.contains("gogo: ") || (l.contains("Exception") && !LOG_LINE.matcher(l).find()),
                        3600);
                double seconds = (System.nanoTime() - t0) / 1e9;
                java.time.Instant ended = java.time.Instant.now();
                double fetcherCpu = cpuSeconds(fetcher) - fetcherCpu0;
                double seedersCpu = cpuSeconds(serving) - seedersCpu0;
                String machine = ThreadCpu.machineShares(machine0, ThreadCpu.machine());
                String fetcherThreads = ThreadCpu.top(fetcherThreads0, ThreadCpu.snapshot(fetcherPid), 8);
                String seederThreads = ThreadCpu.top(seederThreads0, ThreadCpu.snapshot(seederPids), 10);
                long peakHeapMib = peakHeapMib(gcLog, gcLogStart);
                if (System.getProperty("bench.logDir") != null) { // keep the GC log for a closer look
                    Files.copy(gcLog, Path.of(System.getProperty("bench.logDir"), "fetcher" + k + "-" + n + "-gc.log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                if (!got.startsWith("got ")) {
                    throw new IllegalStateException("fetch from " + n + " seeder(s) failed: " + got);
                }
                if (!sha.equals(RandomFiles.sha256(out))) {
                    throw new IllegalStateException("fetched bytes differ from the file");
                }
                hyphae[k] = size / seconds;
                System.out.println("  " + got.trim()); // its bytes from peers over the file's size: duplicates
                for (String l : fetcher.process().output().split("\n")) {
                    // The export fell behind (blocks hashed twice), or a seeder stalled.
                    if (l.contains("read back from the store") || l.contains("bitswap session")
                            || l.contains("the export waited")) {
                        System.out.println("  " + l.trim());
                    }
                }
                System.out.printf("Hyphae from %d seeder(s): %6.1f s  %6.0f MB/s  (%.0f%% of the transport limit)  peak heap %d MiB%n",
                        n, seconds, hyphae[k] / 1e6, 100 * hyphae[k] / limit, peakHeapMib);
                if (uploadLimits(n) > 0) {
                    System.out.printf("  the serving seeders' upload limits: %.0f MB/s together; Hyphae at %.0f%% of them%n",
                            uploadLimits(n) / 1e6, 100 * hyphae[k] / uploadLimits(n));
                }
                // For reading a JFR recording (bench.fetcherJavaOpts): the measured window in UTC.
                System.out.println("  measured from " + started + " to " + ended);
                if (reported0 >= 0) {
                    // Memory handed back meanwhile is what the next writes fault in from the host.
                    System.out.printf("  freed memory reported to the hypervisor during the window: %d MiB%n",
                            (HostMemory.reportedKib() - reported0) / 1024);
                }
                // CPU time is what load on the machine changes least: the cost per GiB, and how much of
                // the two cores' wall time the nodes used (well under 2.0 means they waited, not worked).
                System.out.printf("  CPU: fetcher %.1f s, seeders %.1f s = %.1f core-s per GiB; %.2f of %d cores busy%n",
                        fetcherCpu, seedersCpu, (fetcherCpu + seedersCpu) / (size / (double) (1L << 30)),
                        (fetcherCpu + seedersCpu) / seconds, Runtime.getRuntime().availableProcessors());
                System.out.println("  " + machine);
                // By thread, JIT, GC and kernel time included (JFR's samples leave those out).
                System.out.println("  fetcher's threads: " + fetcherThreads);
                System.out.println("  the seeders' threads, summed: " + seederThreads);
                Files.delete(out);
                fetcher.process().terminate(30);
                fetcher.process().close();
                fetcher = null;
                deleteTree(fetcherDir); // tmpfs is memory: its blocks and its warm-up blocks
                if (Boolean.getBoolean("bench.skipHelia")) {
                    continue;
                }
                try (JsProcess js = JsProcess.start("helia-peer.mjs")) {
                    js.call("start");
                    for (int i = 0; i < n; i++) {
                        js.call("dial", "addr", seeders.get(i).addr());
                    }
                    Path heliaWarm = work.resolve("helia-warm" + n + ".bin");
                    js.timeout(Duration.ofHours(1)).call("cat", "cid", warmCid, "out", heliaWarm.toString(),
                            "length", Math.min(WARM_UP_BYTES, HELIA_WARM_UP_BYTES));
                    Files.delete(heliaWarm);
                    Path heliaOut = work.resolve("helia" + n + ".bin");
                    JsonNode r = js.timeout(Duration.ofHours(1)).call("cat", "cid", cid, "out", heliaOut.toString());
                    if (!sha.equals(r.get("sha256").asText())) {
                        throw new IllegalStateException("Helia's bytes differ from the file");
                    }
                    helia[k] = size / (r.get("millis").asDouble() / 1000);
                    System.out.printf("Helia  from %d seeder(s): %6.1f s  %6.0f MB/s%n", n, r.get("millis").asDouble() / 1000,
                            helia[k] / 1e6);
                    Files.delete(heliaOut);
                }
            }

            System.out.println();
            System.out.printf("summary (file %.0f MiB, transport limit %.0f MB/s, load average now %s)%n", size / 1048576.0,
                    limit / 1e6, load());
            for (int k = 0; k < counts.length; k++) {
                System.out.printf("  %d seeder(s): Hyphae %6.0f MB/s = %4.2fx Helia (%6.0f MB/s), %3.0f%% of the transport limit"
                        + " (%.0f%% of its median stream)%n", counts[k], hyphae[k] / 1e6, hyphae[k] / helia[k], helia[k] / 1e6,
                        100 * hyphae[k] / limit, 100 * hyphae[k] / medianStream);
                if (uploadLimits(counts[k]) > 0) {
                    System.out.printf("      %3.0f%% of the serving seeders' upload limits (%.0f MB/s)%n",
                            100 * hyphae[k] / uploadLimits(counts[k]), uploadLimits(counts[k]) / 1e6);
                }
            }
            if (counts.length > 1) {
                System.out.printf("  %d seeders vs %d: %.2fx%n", counts[counts.length - 1], counts[0],
                        hyphae[counts.length - 1] / hyphae[0]);
            }
        } finally {
            if (fetcher != null) {
                fetcher.process().close();
            }
            for (Node s : seeders) {
                s.process().terminate(30);
                s.process().close();
            }
            deleteTree(work);
        }
    }

    /**
     * Seeder {@code i}: seeder 0 imports the files; the others get hard links to its block files
     * (quicker than importing, and on tmpfs a copy would cost memory). A block file is never
     * written again once in place, so sharing it is safe.
     */
    private static Node startSeeder(Path work, int i) throws Exception {
        Path data = Files.createDirectories(work.resolve("seeder" + i + "/config"));
        Files.writeString(data.resolve("org.hyphae.host.perf.server.cfg"), "write.size=262144\n");
        if (i > 0) {
            linkTree(work.resolve("seeder0/blocks"), data.getParent().resolve("blocks"));
        }
        return start(work, data.getParent(), i, System.getProperty("bench.seederJavaOpts", "").replace("{i}", "" + i));
    }

    /** A seeder that has served for a while: it serves the warm-up file alone to a node of its own. */
    private static void warm(Path work, Node seeder, int i, String warmCid) throws Exception {
        Node warmer = start(work, work.resolve("warmer" + i), NOT_A_SEEDER);
        command(warmer, "hyphae:connect " + seeder.addr(), l -> l.startsWith("connected"), 60);
        warmUps(warmer, warmCid, work.resolve("warmer-out" + i + ".bin"), SEEDER_WARM_UPS, "seeder " + i + "'s warm-up alone");
        warmer.process().terminate(30);
        warmer.process().close();
        deleteTree(work.resolve("warmer" + i)); // tmpfs is memory
        System.out.printf("seeder %d up; it served the %d MiB warm-up file %d time(s)%n", i, WARM_UP_BYTES >> 20, SEEDER_WARM_UPS);
    }

    /**
     * {@code times} gets of {@code cid} to {@code out}, each deleted after and the blocks unpinned and
     * collected between; a failed one ends the run with what the node printed.
     */
    private static void warmUps(Node node, String cid, Path out, int times, String what) throws Exception {
        for (int w = 0; w < times; w++) {
            if (w > 0) {
                command(node, "hyphae:unpin " + cid, l -> l.startsWith("unpinned "), 60);
                command(node, "hyphae:gc", l -> l.startsWith("removed "), 600);
            }
            String got = command(node, "hyphae:get " + cid + " " + out, l -> l.startsWith("got "), 3600);
            if (!got.startsWith("got ")) {
                throw new IllegalStateException(what + " (get " + (w + 1) + " of " + times + ") failed: " + got);
            }
            Files.delete(out);
        }
    }

    /** User and system CPU time of the nodes' JVMs so far. */
    private static double cpuSeconds(List<Node> nodes) {
        double sum = 0;
        for (Node n : nodes) {
            sum += cpuSeconds(n);
        }
        return sum;
    }

    private static double cpuSeconds(Node node) {
        return node.process().process().toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    private static final int NOT_A_SEEDER = -1;

    /** Bitswap settings of seeder {@code i}, as written to its config file (null: the defaults). */
    private static String seederBitswap(int i) {
        return System.getProperty("bench.seederBitswap." + i, System.getProperty("bench.seederBitswap"));
    }

    /** The seeders 0 to n-1's maxSendBytesPerSecond together; 0 unless every one of them has one. */
    private static double uploadLimits(int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            String settings = seederBitswap(i);
            java.util.regex.Matcher m = settings == null ? null : UPLOAD_LIMIT.matcher(settings);
            if (m == null || !m.find() || Long.parseLong(m.group(1)) == 0) {
                return 0;
            }
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    private static Node start(Path work, Path data, int seeder) throws Exception {
        return start(work, data, seeder, "");
    }

    /** A node; {@code seeder} is the seeder's number, or {@link #NOT_A_SEEDER}. */
    private static Node start(Path work, Path data, int seeder, String javaOpts) throws Exception {
        Files.createDirectories(data.resolve("config"));
        // No mDNS: a fetch "from n seeders" must know only the n it was connected to, not every node here.
        Files.writeString(data.resolve("config/org.hyphae.discovery.mdns.cfg"), "enabled=false\n");
        // For tuning runs: Bitswap settings of the fetching node (or the seeders), e.g. maxWantsPerPeer=64;
        // bench.seederBitswap.<i> for seeder i alone (e.g. one with a lower maxSendBytesPerSecond).
        String bitswap = seeder == NOT_A_SEEDER ? System.getProperty("bench.fetcherBitswap") : seederBitswap(seeder);
        if (bitswap != null && !bitswap.isBlank()) {
            Files.writeString(data.resolve("config/org.hyphae.exchange.bitswap.cfg"), bitswap.replace(',', '\n') + "\n");
        }
        // File-sharing settings of the fetching node, e.g. leavesAsReferences=true.
        String files = seeder != NOT_A_SEEDER ? null : System.getProperty("bench.fetcherFiles");
        if (files != null && !files.isBlank()) {
            Files.writeString(data.resolve("config/org.hyphae.files.cfg"), files.replace(',', '\n') + "\n");
        }
        NodeProcess p = NodeProcess.startWithJavaOpts(NodeProcess.distribution(), work, javaOpts, "--port", "0", "--data", data.toString());
        p.awaitLine(l -> l.startsWith("Node ready in"), 900);
        String line = p.awaitLine(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"), 60);
        String id = p.awaitLine(l -> l.startsWith("PeerID: "), 60).substring(8).trim();
        String addr = line.substring("Swarm listening on ".length()).trim();
        if (!addr.contains("/p2p/")) {
            addr = addr + "/p2p/" + id;
        }
        return new Node(p, p.stdin(), addr);
    }

    private static int marks;

    private static String command(Node node, String line, java.util.function.Predicate<String> match, long seconds)
            throws IOException, InterruptedException {
        int before = node.process().output().split("\n").length;
        String mark = "bench-mark-" + (++marks);
        node.shell().write(line + "\necho " + mark + "\n");
        node.shell().flush();
        node.process().awaitLine(l -> l.contains(mark) && !l.contains("echo"), seconds);
        String[] lines = node.process().output().split("\n");
        for (int i = before; i < lines.length; i++) {
            String l = lines[i].replaceFirst("^g! ", "").replaceFirst("^.*\r", "");
            if (match.test(l)) {
                return l;
            }
        }
        return String.join("\n", java.util.Arrays.asList(lines).subList(before, lines.length));
    }

    private static double perf(Node client, String addr, long down) throws Exception {
        String line = command(client, "hyphae:perf " + addr + " 0 " + down, l -> l.contains("perf-result"), 600);
        Matcher m = PERF.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException(line);
        }
        return down / (Double.parseDouble(m.group(4)) / 1000);
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    private static void linkTree(Path from, Path to) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else if (!f.toString().contains("/.tmp/")) {
                    Files.createLink(t, f);
                }
            }
        }
    }

    /**
     * The guest kernel's free page reporting (virtio-balloon): memory it reports is taken back by the
     * hypervisor, and the next write into it faults on the host. Here that made writing 1 GiB into
     * tmpfs take 3.5-4.3 s instead of 0.4-0.5 s, so a fetch's figures depended on how much of what
     * the previous run freed had been reported. {@code scripts/bench-memory.sh hold} stops it.
     */
    static final class HostMemory {
        private static final Path PARAMS = Path.of("/sys/module/page_reporting/parameters");

        private HostMemory() {
        }

        static String describe() {
            try {
                int order = Integer.parseInt(Files.readString(PARAMS.resolve("page_reporting_order")).trim());
                // /proc/buddyinfo lists one column per order: an order past the last is never reported.
                int orders = Files.readAllLines(Path.of("/proc/buddyinfo")).get(0).trim().split("\\s+").length - 4;
                return order >= orders ? "free page reporting to the hypervisor is off (order " + order + ")"
                        : "free page reporting to the hypervisor is ON (order " + order + "): memory freed by one run is"
                                + " faulted in from the host by the next, and the figures vary with it; run"
                                + " scripts/bench-memory.sh hold first (see benchmarks/README.md)";
            } catch (IOException | RuntimeException e) {
                return "no free page reporting here";
            }
        }

        /** KiB reported so far; -1 without free page reporting. */
        static long reportedKib() {
            try {
                return Long.parseLong(Files.readString(PARAMS.resolve("reported_kib")).trim());
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static final Pattern UPLOAD_LIMIT = Pattern.compile("maxSendBytesPerSecond=(\\d+)");
    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M->(\\d+)M\\(\\d+M\\)");

    /**
     * The most heap in use the fetching node had during the fetch: the largest "before" figure of
     * the collections its GC log ({@code -Xlog:gc}) recorded after {@code from}. The heap in use
     * grows only between collections, so its peaks are just before them. (Sampling with jstat
     * instead, as this benchmark did, started a JVM every few hundred milliseconds: about a core of
     * a two-core machine, taken from the fetch it was measuring.)
     */
    private static long peakHeapMib(Path gcLog, long from) throws IOException {
        String log = Files.readString(gcLog);
        Matcher m = GC_HEAP.matcher(log.substring((int) Math.min(from, log.length())));
        long peak = 0;
        while (m.find()) {
            peak = Math.max(peak, Long.parseLong(m.group(1)));
        }
        return peak;
    }
}
