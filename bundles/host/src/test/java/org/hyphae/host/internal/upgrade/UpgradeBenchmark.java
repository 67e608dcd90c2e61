package org.hyphae.host.internal.upgrade;

import org.hyphae.transport.testkit.TestIdentity;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.hyphae.transport.testkit.TestIdentity;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Stream;

/**
 * Not a test: {@code main} pushes {@code MiB} (default 2048) through one stream of two upgraders
 * over TCP on 127.0.0.1 (Noise + yamux, both ends in this JVM, three rounds) and prints MB/s. Run
 * with the leak detector off:
 * {@code java -cp <test classpath> org.hyphae.host.internal.upgrade.UpgradeBenchmark [MiB]}.
 */
public final class UpgradeBenchmark {

    private static final InboundStreams NONE = new InboundStreams() {
        @Override
        public Set<String> protocols() {
            return Set.of();
        }

        @Override
        public void accept(Stream stream) {
            stream.reset();
        }
    };

    public static void main(String[] args) throws Exception {
        long total = (args.length > 0 ? Long.parseLong(args[0]) : 2048) * 1024 * 1024;
        int chunk = 1024 * 1024;
        // Warm-up rounds first: the cipher intrinsics and Netty's paths need C2.
        org.hyphae.host.internal.noise.NoiseBenchmark.rawJdk(2);
        plainTcp(total / 4, chunk);
        double tcp = Math.max(plainTcp(total, chunk), plainTcp(total, chunk));
        double cipher = org.hyphae.host.internal.noise.NoiseBenchmark.rawJdk(3);
        double ceiling = 1 / (1 / tcp + 1 / cipher);
        System.out.printf("plain Netty TCP loopback %.0f MB/s; JDK ChaCha20-Poly1305 encrypt+decrypt %.0f MB/s; "
                + "ceiling 1/(1/tcp + 1/cipher) = %.0f MB/s%n", tcp, cipher, ceiling);
        LinkedBlockingQueue<CompletableFuture<Long>> sinks = new LinkedBlockingQueue<>();
        InboundStreams sink = new InboundStreams() {
            @Override
            public Set<String> protocols() {
                return Set.of("/bench/1.0.0");
            }

            @Override
            public void accept(Stream stream) {
                CompletableFuture<Long> done = new CompletableFuture<>();
                sinks.add(done);
                drain(stream, 0, done);
            }
        };
        try (LoopbackPeers peers = new LoopbackPeers(TestIdentity.random(), TestIdentity.random(), UpgradeSettings.DEFAULTS, sink)) {
            for (int round = 1; round <= 3; round++) {
                Connection c = peers.dial(Optional.empty(), NONE).get(10, TimeUnit.SECONDS);
                Stream s = c.newStream(List.of("/bench/1.0.0")).toCompletableFuture().get(10, TimeUnit.SECONDS);
                byte[] data = new byte[chunk];
                long start = System.nanoTime();
                for (long sent = 0; sent < total; sent += chunk) {
                    s.write(ByteBuffer.wrap(data)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
                s.closeWrite();
                long got = sinks.take().get(60, TimeUnit.SECONDS);
                double secs = (System.nanoTime() - start) / 1e9;
                System.out.printf("round %d: %d MiB in %.2f s = %.0f MB/s = %.0f%% of the ceiling (received %d bytes)%n",
                        round, total >> 20, secs, total / secs / 1e6, 100 * total / secs / 1e6 / ceiling, got);
                c.close();
            }
        }
    }

    /** One TCP connection on 127.0.0.1, Netty at both ends, writes of {@code chunk} bytes, at most four in flight. */
    static double plainTcp(long total, int chunk) throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(2,
                io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            CompletableFuture<Void> all = new CompletableFuture<>();
            long[] received = new long[1];
            io.netty.channel.Channel server = new io.netty.bootstrap.ServerBootstrap().group(group)
                    .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                    .childHandler(new io.netty.channel.ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                            received[0] += ((io.netty.buffer.ByteBuf) msg).readableBytes();
                            ((io.netty.buffer.ByteBuf) msg).release();
                            if (received[0] >= total) {
                                all.complete(null);
                            }
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((java.net.InetSocketAddress) server.localAddress()).getPort();
            io.netty.channel.Channel client = new io.netty.bootstrap.Bootstrap().group(group)
                    .channel(io.netty.channel.socket.nio.NioSocketChannel.class)
                    .handler(new io.netty.channel.ChannelInboundHandlerAdapter())
                    .connect("127.0.0.1", port).sync().channel();
            io.netty.buffer.ByteBuf data = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(chunk);
            data.writeZero(chunk);
            long start = System.nanoTime();
            io.netty.channel.ChannelFuture last = null;
            int n = 0;
            for (long sent = 0; sent < total; sent += chunk) {
                last = client.writeAndFlush(data.retainedDuplicate());
                if (++n % 4 == 0) {
                    last.sync();
                }
            }
            last.sync();
            all.get(60, TimeUnit.SECONDS);
            double mbs = total / ((System.nanoTime() - start) / 1e9) / 1e6;
            data.release();
            client.close().sync();
            server.close().sync();
            return mbs;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    static void drain(Stream stream, long n, CompletableFuture<Long> done) {
        stream.read().whenComplete((d, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else if (d.isPresent()) {
                drain(stream, n + d.get().remaining(), done);
            } else {
                done.complete(n);
                stream.closeWrite();
            }
        });
    }
}
