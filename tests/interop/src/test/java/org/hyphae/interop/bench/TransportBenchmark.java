package org.hyphae.interop.bench;

import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.hyphae.host.internal.noise.CipherState;
import org.hyphae.host.internal.upgrade.ConnectionUpgrader;
import org.hyphae.host.internal.upgrade.InboundStreams;
import org.hyphae.host.internal.upgrade.UpgradeSettings;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.identity.internal.Ed25519KeyPair;
import org.hyphae.interop.JsProcess;
import org.hyphae.tests.support.NodeProcess;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The transport benchmark of the transport issue (not a test; run by hand, see
 * benchmarks/README.md). Everything is measured in the same run on this machine:
 * <ol>
 * <li>plain TCP over loopback (iperf3) and one core's ChaCha20-Poly1305 (the JDK's, and the node's own
 * {@code CipherState}: libsodium's where it loads), and from TCP and the node's cipher the
 * ceiling 1 / (1/tcp + 2/cipher) of an encrypted stream with both ends on this machine;</li>
 * <li>one perf stream Hyphae to Hyphae (two node processes), and js-libp2p to js-libp2p;</li>
 * <li>connection set-up (TCP + Noise + yamux + first stream round trip) p50/p99;</li>
 * <li>heap and RSS of a node holding 1,000 idle connections.</li>
 * </ol>
 */
public final class TransportBenchmark {

    private static final long GIB = 1L << 30;
    private static final java.util.concurrent.ExecutorService CALLBACKS =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "bench-callbacks");
                t.setDaemon(true);
                return t;
            });

    public static void main(String[] args) throws Exception {
        long bytes = args.length > 0 ? Long.parseLong(args[0]) : 4 * GIB;
        Path work = Files.createTempDirectory("hyphae-bench");
        double tcp = iperf3();
        double jdkCipher = chachaOneCore();
        // The cipher the nodes use (libsodium's where it loads, else the JDK's) sets the ceiling.
        double cipher = nodeCipherOneCore();
        double ceiling = 1 / (1 / tcp + 2 / cipher);
        System.out.printf("loopback TCP (iperf3)            %8.0f MB/s%n", tcp / 1e6);
        System.out.printf("ChaCha20-Poly1305, one core: the JDK's %.0f MB/s; the node's (%s) %.0f MB/s%n", jdkCipher / 1e6,
                CipherState.implementation(), cipher / 1e6);
        System.out.printf("ceiling 1/(1/tcp + 2/cipher)     %8.0f MB/s%n", ceiling / 1e6);

        Path serverData = work.resolve("server");
        Files.createDirectories(serverData.resolve("config"));
        // Enable the perf server (off by default) and room for 1,000 peers.
        Files.writeString(serverData.resolve("config/org.hyphae.host.perf.server.cfg"), "write.size=262144\n");
        Files.writeString(serverData.resolve("config/org.hyphae.host.cfg"),
                "max.inbound=1200\nhigh.watermark=1200\nlow.watermark=1100\nidle.timeout.seconds=0\n");
        try (NodeProcess server = NodeProcess.start(work, "--headless", "--port", "0", "--data", serverData.toString());
                NodeProcess client = NodeProcess.start(work, "--port", "0", "--data", work.resolve("client").toString())) {
            String serverAddr = tcpAddress(server);
            client.awaitLine(l -> l.startsWith("Node ready"), 60);
            Writer shell = client.stdin();
            // Warm-up: the JIT and yamux's window auto-tuning need about a gigabyte to settle.
            perfOnce(client, shell, serverAddr, 0, GIB);
            double download = perfOnce(client, shell, serverAddr, 0, bytes);
            double upload = perfOnce(client, shell, serverAddr, bytes, 0);
            System.out.printf("Hyphae -> Hyphae perf download  %8.0f MB/s  (%.0f%% of ceiling)%n", download / 1e6,
                    100 * download / ceiling);
            System.out.printf("Hyphae -> Hyphae perf upload    %8.0f MB/s  (%.0f%% of ceiling)%n", upload / 1e6,
                    100 * upload / ceiling);

            double js = jsToJs(bytes);
            System.out.printf("js-libp2p -> js-libp2p perf     %8.0f MB/s%n", js / 1e6);
            System.out.printf("Hyphae / js-libp2p              %8.1fx%n", Math.max(download, upload) / js);

            PeerId serverId = PeerId.parse(serverAddr.substring(serverAddr.indexOf("/p2p/") + 5));
            setupLatencyAndIdleConnections(server, Multiaddr.parse(serverAddr), serverId);
        }
    }

    /** Loopback TCP throughput in bytes/s from iperf3 (Debian package iperf3). */
    private static double iperf3() throws Exception {
        int port = 5201 + (int) (ProcessHandle.current().pid() % 1000);
        Process server = new ProcessBuilder("iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).start();
        Thread.sleep(500);
        Process client = new ProcessBuilder("iperf3", "-c", "127.0.0.1", "-p", Integer.toString(port), "-t", "5", "-J")
                .redirectErrorStream(true).start();
        String json = new String(client.getInputStream().readAllBytes());
        client.waitFor();
        server.destroy();
        Matcher m = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*\"bits_per_second\"\\s*:\\s*([0-9.e+]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no iperf3 result (apt-get install iperf3):\n" + json);
        }
        return Double.parseDouble(m.group(1)) / 8;
    }

    /** One step of a cipher benchmark: seals one message, returns its plaintext bytes. */
    private interface SealStep {
        int seal() throws Exception;
    }

    /** Bytes/s of {@code step} on this thread: 1 s of warm-up, then 3 s measured. */
    private static double sealRate(SealStep step) throws Exception {
        long done = 0;
        long start = System.nanoTime();
        long warmUntil = start + TimeUnit.SECONDS.toNanos(1);
        long end = start + TimeUnit.SECONDS.toNanos(4);
        long measuredFrom = 0;
        long measuredStart = 0;
        while (true) {
            long now = System.nanoTime();
            if (measuredStart == 0 && now > warmUntil) {
                measuredStart = now;
                measuredFrom = done;
            }
            if (now > end) {
                return (done - measuredFrom) / ((now - measuredStart) / 1e9);
            }
            done += step.seal();
        }
    }

    /** JDK ChaCha20-Poly1305 encryption of 64 KiB messages on this thread, bytes/s. */
    private static double chachaOneCore() throws Exception {
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        SecretKeySpec key = new SecretKeySpec(new byte[32], "ChaCha20");
        ByteBuffer in = ByteBuffer.allocateDirect(65535 - 16);
        ByteBuffer out = ByteBuffer.allocateDirect(65535);
        long[] nonce = {0};
        return sealRate(() -> {
            byte[] iv = new byte[12];
            ByteBuffer.wrap(iv, 4, 8).putLong(nonce[0]++);
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
            in.clear();
            out.clear();
            return cipher.doFinal(in, out) - 16;
        });
    }

    /** The node's Noise {@link CipherState} sealing 64 KiB transport messages in direct buffers on this thread, bytes/s. */
    private static double nodeCipherOneCore() throws Exception {
        CipherState state = new CipherState(new byte[32]);
        io.netty.buffer.ByteBuf in = io.netty.buffer.Unpooled.directBuffer(65535 - 16).writeZero(65535 - 16);
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.directBuffer(65535);
        try {
            return sealRate(() -> {
                out.clear();
                state.encrypt(in, 0, in.readableBytes(), out);
                return in.readableBytes();
            });
        } finally {
            in.release();
            out.release();
        }
    }

    private static String tcpAddress(NodeProcess node) throws InterruptedException {
        String line = node.awaitLine(l -> l.startsWith("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"), 60);
        return line.substring("Swarm listening on ".length()).trim();
    }

    private static final Pattern PERF = Pattern.compile("perf-result upload=(\\d+) download=(\\d+) upload_ms=([0-9.]+) total_ms=([0-9.]+)");

    private static double perfOnce(NodeProcess client, Writer shell, String addr, long up, long down) throws Exception {
        int before = client.output().split("\n").length;
        shell.write("hyphae:perf " + addr + " " + up + " " + down + "\n");
        shell.flush();
        String line = client.awaitLine(l -> l.contains("perf-result") && client.output().split("\n").length > before, 600);
        Matcher m = PERF.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException(line);
        }
        double totalSeconds = Double.parseDouble(m.group(4)) / 1000;
        return (up + down) / totalSeconds;
    }

    private static double jsToJs(long bytes) {
        try (JsProcess a = JsProcess.start("libp2p-node.mjs"); JsProcess b = JsProcess.start("libp2p-node.mjs")) {
            a.call("start");
            JsonNode started = b.call("start");
            String addr = started.get("addrs").get(0).asText();
            a.call("dial", "addr", addr);
            a.timeout(java.time.Duration.ofMinutes(10)).call("perf", "addr", addr, "upload", 0, "download", GIB);
            JsonNode r = a.call("perf", "addr", addr, "upload", 0, "download", bytes);
            return bytes / (r.get("millis").asDouble() / 1000);
        }
    }

    /** Dial + Noise + yamux + a ping round trip, 200 times; then 1,000 idle connections. */
    private static void setupLatencyAndIdleConnections(NodeProcess server, Multiaddr address, PeerId serverId)
            throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        List<Connection> idle = new ArrayList<>();
        try {
            long[] micros = new long[200];
            for (int i = 0; i < micros.length; i++) {
                long start = System.nanoTime();
                Connection c = connect(group, address, serverId);
                Stream ping = c.newStream(List.of("/ipfs/ping/1.0.0")).toCompletableFuture().get(30, TimeUnit.SECONDS);
                ping.write(ByteBuffer.wrap(new byte[32])).toCompletableFuture().get(30, TimeUnit.SECONDS);
                int got = 0;
                while (got < 32) {
                    got += ping.read().toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow().remaining();
                }
                micros[i] = (System.nanoTime() - start) / 1000;
                c.close();
            }
            Arrays.sort(micros);
            System.out.printf("connection set-up to first stream round trip: p50 %.2f ms, p99 %.2f ms%n",
                    micros[100] / 1000.0, micros[197] / 1000.0);

            long pid = server.process().pid();
            long rssBefore = rssKiB(pid);
            for (int i = 0; i < 1000; i++) {
                idle.add(connect(group, address, serverId));
            }
            Thread.sleep(3000);
            long rssAfter = rssKiB(pid);
            System.out.printf("node with 1000 idle connections: RSS %d -> %d MiB (%.1f KiB per connection), heap %s%n",
                    rssBefore / 1024, rssAfter / 1024, (rssAfter - rssBefore) / 1000.0, heap(pid));
        } finally {
            idle.forEach(Connection::close);
            group.shutdownGracefully();
        }
    }

    private static Connection connect(EventLoopGroup group, Multiaddr address, PeerId expected) throws Exception {
        Identity identity = new KeyPairIdentity(Ed25519KeyPair.generate());
        ConnectionUpgrader upgrader = new ConnectionUpgrader(identity, UpgradeSettings.DEFAULTS, CALLBACKS);
        String[] parts = address.toString().split("/");
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                    }
                }).connect(parts[2], Integer.parseInt(parts[4])).sync().channel();
        org.hyphae.transport.RawConnection raw = new org.hyphae.transport.RawConnection() {
            public Multiaddr localAddress() { return Multiaddr.parse("/ip4/127.0.0.1/tcp/1"); }
            public Multiaddr remoteAddress() { return address.withoutPeerId(); }
            public boolean isInbound() { return false; }
            public <T> Optional<T> unwrap(Class<T> type) { return type.isInstance(channel) ? Optional.of(type.cast(channel)) : Optional.empty(); }
            public void close() { channel.close(); }
            public java.util.concurrent.CompletionStage<Void> closed() {
                java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
                channel.closeFuture().addListener(x -> f.complete(null));
                return f;
            }
        };
        InboundStreams none = new InboundStreams() {
            public Set<String> protocols() { return Set.of(); }
            public void accept(Stream stream) { stream.reset(); }
        };
        return upgrader.upgrade(raw, channel, "tcp", Optional.of(expected), none).get(30, TimeUnit.SECONDS);
    }

    private static long rssKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }

    private static String heap(long pid) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        Matcher m = Pattern.compile("used (\\d+)K").matcher(out);
        return m.find() ? (Long.parseLong(m.group(1)) / 1024) + " MiB used" : "unknown";
    }

    /** A client identity for the benchmark's raw connections. */
    private record KeyPairIdentity(Ed25519KeyPair keys) implements Identity {
        public PeerId peerId() { return keys.peerId(); }
        public byte[] publicKeyProtobuf() { return keys.publicKeyProtobuf(); }
        public byte[] sign(byte[] data) { return keys.sign(data); }
        public boolean verify(byte[] key, byte[] data, byte[] signature) { return Ed25519KeyPair.verify(key, data, signature); }
    }
}
