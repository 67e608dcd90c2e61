package org.hyphae.host.internal.perf;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Host;
import org.hyphae.transport.Perf;
import org.hyphae.transport.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The client side of {@code /perf/1.0.0} (libp2p/specs perf/perf.md): opens a stream, sends the
 * 8-byte big-endian count of bytes it wants back, uploads, closes its side, and counts what comes
 * back until the end of the stream.
 *
 * <p>Each write waits for the previous one (backpressure), so a run of any size holds at most one
 * chunk in memory. The {@link Host} reference is dynamic and greedy; each run reads it once.
 */
@Component(service = Perf.class, configurationPid = PerfClient.PID)
@Designate(ocd = PerfClient.Config.class)
public final class PerfClient implements Perf {

    static final String PID = "org.hyphae.host.perf.client";

    @ObjectClassDefinition(name = "Hyphae perf client", description = "The client side of /perf/1.0.0.")
    public @interface Config {
        @AttributeDefinition(name = "Write size (bytes)", description = "Bytes per stream write when uploading.",
                min = "1024")
        int write_size() default PerfStreams.DEFAULT_CHUNK;
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Host host;

    private volatile ByteBuffer zeros = PerfStreams.zeros(PerfStreams.DEFAULT_CHUNK);

    /** For DS. */
    public PerfClient() {
    }

    /** For tests and for use without DS. */
    public PerfClient(Host host, int writeSize) {
        this.host = host;
        this.zeros = PerfStreams.zeros(writeSize);
    }

    @Activate
    @Modified
    void configure(Config config) {
        zeros = PerfStreams.zeros(Math.max(1024, config.write_size()));
    }

    @Override
    public CompletionStage<Result> measure(PeerId peer, long uploadBytes, long downloadBytes) {
        if (uploadBytes < 0 || downloadBytes < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "perf byte counts must not be negative: upload " + uploadBytes + ", download " + downloadBytes));
        }
        Host h = host;
        if (h == null) {
            return CompletableFuture.failedFuture(new IOException("cannot run perf with " + peer + ": no Host service"));
        }
        ByteBuffer filler = zeros;
        long start = System.nanoTime();
        AtomicReference<Stream> opened = new AtomicReference<>();
        long[] t = new long[2]; // upload start, first response (byte or end)
        boolean[] responded = {false};
        long[] received = {0};
        return h.newStream(peer, List.of(PROTOCOL)).thenCompose(stream -> {
            opened.set(stream);
            t[0] = System.nanoTime();
            ByteBuffer request = ByteBuffer.allocate(Long.BYTES).putLong(downloadBytes).flip();
            return stream.write(request)
                    .thenCompose(v -> PerfStreams.send(stream, filler, uploadBytes))
                    .thenCompose(v -> stream.closeWrite())
                    .thenCompose(v -> AsyncLoop.run(() -> stream.read().thenApply(chunk -> {
                        if (!responded[0]) {
                            responded[0] = true;
                            t[1] = System.nanoTime();
                        }
                        if (chunk.isEmpty()) {
                            return Optional.of(received[0]);
                        }
                        received[0] += chunk.get().remaining();
                        if (received[0] > downloadBytes) {
                            throw new CompletionException(new IOException("perf with " + peer + ": the peer sent "
                                    + received[0] + " bytes or more, " + downloadBytes + " were asked for"));
                        }
                        return Optional.<Long>empty();
                    })));
        }).thenApply(got -> {
            long end = System.nanoTime();
            if (got != downloadBytes) {
                throw new CompletionException(new EOFException("perf with " + peer + ": the peer closed the stream after "
                        + got + " of the " + downloadBytes + " bytes asked for"));
            }
            return new Result(uploadBytes, got, Duration.ofNanos(t[1] - t[0]), Duration.ofNanos(end - start));
        }).whenComplete((r, e) -> {
            Stream s = opened.get();
            if (e != null && s != null) {
                s.reset();
            }
        });
    }
}
