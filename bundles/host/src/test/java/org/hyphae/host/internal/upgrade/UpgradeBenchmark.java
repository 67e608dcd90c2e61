package org.hyphae.host.internal.upgrade;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.hyphae.host.internal.noise.TestIdentity;
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
        try (LoopbackPeers peers = new LoopbackPeers(new TestIdentity(), new TestIdentity(), UpgradeSettings.DEFAULTS, sink)) {
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
                System.out.printf("round %d: %d MiB in %.2f s = %.0f MB/s (received %d bytes)%n", round,
                        total >> 20, secs, total / secs / 1e6, got);
                c.close();
            }
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
