package org.hyphae.tests.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hyphae.tests.support.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 connections that break the protocol in different ways, against a node process: each is
 * closed, and afterwards the node's file descriptors, threads and heap are back at their baseline
 * and it still answers a well-behaved peer.
 */
class BadConnectionsTest {

    private static final byte[] MULTISTREAM = frame("/multistream/1.0.0\n");

    @TempDir
    Path work;

    @Test
    void thousandBadConnectionsLeaveNothingBehind() throws Exception {
        // No mDNS: nodes of other tests on this machine would dial in and start event-loop threads of their own.
        Files.writeString(Files.createDirectories(work.resolve("data/config")).resolve("org.hyphae.discovery.mdns.cfg"),
                "enabled=false\n");
        try (NodeProcess node = NodeProcess.start(work, "--headless", "--port", "0")) {
            String line = node.awaitLine(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"), 60);
            Matcher m = Pattern.compile("/tcp/(\\d+)/").matcher(line);
            assertTrue(m.find(), line);
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            long pid = node.process().pid();

            // Warm up: the event loops start their threads on first use; that is not a leak.
            attack(target, 100);
            Resources baseline = settle(pid, null);
            attack(target, 1000);
            Resources after = settle(pid, baseline);
            System.out.printf("[process] 1000 bad connections: fds %d -> %d, threads %d -> %d, heap %d -> %d KiB%n",
                    baseline.fds, after.fds, baseline.threads, after.threads, baseline.heapKiB, after.heapKiB);
            assertTrue(after.fds <= baseline.fds + 2, "file descriptors back at baseline: " + baseline + " -> " + after);
            assertTrue(after.threads <= baseline.threads + 2, "threads back at baseline: " + baseline + " -> " + after);
            assertTrue(after.heapKiB <= baseline.heapKiB + 16 * 1024, "heap back near baseline: " + baseline + " -> " + after);

            // And it still speaks multistream-select to a well-behaved peer.
            try (Socket s = new Socket()) {
                s.connect(target, 5000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write(MULTISTREAM);
                byte[] answer = s.getInputStream().readNBytes(MULTISTREAM.length);
                assertArrayEquals(MULTISTREAM, answer, "the node answers the multistream header");
            }
        }
    }

    /** Opens {@code count} misbehaving connections, 50 at a time, each in one of several ways. */
    private static void attack(InetSocketAddress target, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int kind = i % 5;
                done.add(pool.submit(() -> {
                    misbehave(target, kind);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void misbehave(InetSocketAddress target, int kind) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(target, 5000);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            switch (kind) {
                case 0 -> out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // garbage before multistream
                case 1 -> { // a valid header, then garbage inside multistream-select
                    out.write(MULTISTREAM);
                    out.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
                }
                case 2 -> { // negotiate Noise, then a frame announcing 65535 bytes of junk
                    out.write(MULTISTREAM);
                    out.write(frame("/noise\n"));
                    byte[] junk = new byte[65537];
                    junk[0] = (byte) 0xff;
                    junk[1] = (byte) 0xff;
                    out.write(junk);
                }
                case 3 -> { } // connect and leave at once
                default -> out.write(MULTISTREAM); // a header, then silence until the node gives up or we do
            }
            out.flush();
            // Don't wait for the node's handshake timeout here: settle() waits for its clean-up.
            drainUntilClosed(s.getInputStream(), 1000);
        } catch (IOException closedByNode) {
            // a reset by the node is one of the expected answers
        }
    }

    private static void drainUntilClosed(InputStream in, int millis) throws IOException {
        long deadline = System.currentTimeMillis() + millis;
        byte[] buffer = new byte[4096];
        while (System.currentTimeMillis() < deadline) {
            try {
                if (in.read(buffer) < 0) {
                    return;
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                return;
            }
        }
    }

    private static byte[] frame(String message) {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length + 1];
        out[0] = (byte) body.length; // all messages here are shorter than 128 bytes
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    private record Resources(int fds, int threads, long heapKiB) {}

    /**
     * Waits until the node's descriptors and threads stop falling (and, with a baseline, reach it),
     * then reads them with the heap after a full GC.
     */
    private static Resources settle(long pid, Resources baseline) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Resources now = read(pid);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            Resources next = read(pid);
            boolean stable = next.fds == now.fds && next.threads == now.threads;
            now = next;
            if (stable && (baseline == null
                    || (now.fds <= baseline.fds + 2 && now.threads <= baseline.threads + 2))) {
                break;
            }
        }
        return new Resources(now.fds, now.threads, heapAfterGc(pid));
    }

    private static Resources read(long pid) throws IOException {
        int fds;
        try (var files = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = (int) files.count();
        }
        int threads;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            threads = (int) tasks.count();
        }
        return new Resources(fds, threads, 0);
    }

    private static long heapAfterGc(long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        run(jcmd, Long.toString(pid), "GC.run");
        String info = run(jcmd, Long.toString(pid), "GC.heap_info");
        Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
        if (!used.find()) {
            throw new AssertionError("no heap figure in jcmd output:\n" + info);
        }
        return Long.parseLong(used.group(1));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
