package org.hyphae.discovery.kad.internal.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Stream;

/**
 * One side of an in-memory stream; see {@link MemoryNetwork}. Each direction is a {@link Pipe} of
 * unread chunks; a write completes once the pipe holds at most the window's worth of unread bytes,
 * so a writer that waits for each write is held back by a slow reader.
 */
public final class MemoryStream implements Stream {

    /** One direction: what one side wrote and the other has not read yet. */
    static final class Pipe {
        final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
        long queued;
        long maxQueued;
        long written;
        boolean finished;
        CompletableFuture<Optional<ByteBuffer>> pendingRead;
        CompletableFuture<Void> pendingWrite;
    }

    /** State shared by both sides; its monitor guards both pipes. */
    static final class Shared {
        final MemoryNetwork network;
        final String protocol;
        final Pipe toListener = new Pipe();
        final Pipe toDialler = new Pipe();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        boolean reset;

        Shared(MemoryNetwork network, String protocol) {
            this.network = network;
            this.protocol = protocol;
        }
    }

    private final Shared shared;
    private final MemoryConnection connection;
    private final Direction direction;
    private final Pipe in;
    private final Pipe out;

    private MemoryStream(Shared shared, MemoryConnection connection, Direction direction, Pipe in, Pipe out) {
        this.shared = shared;
        this.connection = connection;
        this.direction = direction;
        this.in = in;
        this.out = out;
    }

    static MemoryStream[] pair(MemoryNetwork network, MemoryConnection dialler, MemoryConnection listener,
            String protocol) {
        Shared s = new Shared(network, protocol);
        MemoryStream a = new MemoryStream(s, dialler, Direction.OUTBOUND, s.toDialler, s.toListener);
        MemoryStream b = new MemoryStream(s, listener, Direction.INBOUND, s.toListener, s.toDialler);
        s.closed.whenComplete((v, e) -> {
            dialler.streams.remove(a);
            listener.streams.remove(b);
        });
        return new MemoryStream[] {a, b};
    }

    @Override
    public String protocol() {
        return shared.protocol;
    }

    @Override
    public Connection connection() {
        return connection;
    }

    @Override
    public Direction direction() {
        return direction;
    }

    /** Most unread bytes this side's outgoing pipe has held at once: bounded if the writer honours backpressure. */
    public long maxQueuedOutbound() {
        synchronized (shared) {
            return out.maxQueued;
        }
    }

    /** Bytes this side has written. */
    public long bytesWritten() {
        synchronized (shared) {
            return out.written;
        }
    }

    /** Whether the stream was reset by either side. */
    public boolean isReset() {
        synchronized (shared) {
            return shared.reset;
        }
    }

    /** Whether this side has closed its writing half. */
    public boolean isWriteClosed() {
        synchronized (shared) {
            return out.finished;
        }
    }

    @Override
    public CompletionStage<Optional<ByteBuffer>> read() {
        synchronized (shared) {
            if (shared.reset) {
                return CompletableFuture.failedFuture(new IOException("stream reset"));
            }
            if (in.pendingRead != null) {
                shared.network.violation(describe() + ": read() while a read is pending");
                return CompletableFuture.failedFuture(new IllegalStateException("read() while a read is pending"));
            }
            if (!in.chunks.isEmpty()) {
                ByteBuffer chunk = take(in);
                return CompletableFuture.completedFuture(Optional.of(chunk));
            }
            if (in.finished) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            in.pendingRead = new CompletableFuture<>();
            return in.pendingRead;
        }
    }

    @Override
    public CompletionStage<Void> write(ByteBuffer data) {
        synchronized (shared) {
            if (shared.reset) {
                return CompletableFuture.failedFuture(new IOException("stream reset"));
            }
            if (out.finished) {
                return CompletableFuture.failedFuture(new IOException("stream closed for writing"));
            }
            if (out.pendingWrite != null) {
                shared.network.violation(describe() + ": write() before the previous write completed");
                return CompletableFuture.failedFuture(
                        new IllegalStateException("write() before the previous write completed"));
            }
            int n = data.remaining();
            if (n == 0) {
                return CompletableFuture.completedFuture(null);
            }
            ByteBuffer copy = ByteBuffer.allocate(n).put(data).flip();
            out.chunks.add(copy);
            out.queued += n;
            out.written += n;
            out.maxQueued = Math.max(out.maxQueued, out.queued);
            serveRead(out);
            if (out.queued <= shared.network.window()) {
                return CompletableFuture.completedFuture(null);
            }
            out.pendingWrite = new CompletableFuture<>();
            return out.pendingWrite;
        }
    }

    @Override
    public CompletionStage<Void> closeWrite() {
        synchronized (shared) {
            if (shared.reset) {
                return CompletableFuture.failedFuture(new IOException("stream reset"));
            }
            out.finished = true;
            serveRead(out);
            maybeClosed();
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public void reset() {
        synchronized (shared) {
            if (shared.reset || shared.closed.isDone()) {
                shared.reset = true;
                return;
            }
            shared.reset = true;
            for (Pipe p : new Pipe[] {in, out}) {
                p.chunks.clear();
                if (p.pendingRead != null) {
                    fail(p.pendingRead, new IOException("stream reset"));
                    p.pendingRead = null;
                }
                if (p.pendingWrite != null) {
                    fail(p.pendingWrite, new IOException("stream reset"));
                    p.pendingWrite = null;
                }
            }
            complete(shared.closed);
        }
    }

    @Override
    public CompletionStage<Void> closed() {
        return shared.closed;
    }

    /** Takes the next chunk a read returns; caller holds the monitor. */
    private ByteBuffer take(Pipe p) {
        ByteBuffer head = p.chunks.peek();
        ByteBuffer chunk;
        int limit = shared.network.readChunkLimit();
        if (head.remaining() > limit) {
            chunk = head.slice(head.position(), limit);
            head.position(head.position() + limit);
        } else {
            chunk = p.chunks.poll();
        }
        p.queued -= chunk.remaining();
        if (p.pendingWrite != null && p.queued <= shared.network.window()) {
            complete(p.pendingWrite);
            p.pendingWrite = null;
        }
        maybeClosed();
        return chunk;
    }

    /** Hands data or the end of the stream to a read waiting on {@code p}; caller holds the monitor. */
    private void serveRead(Pipe p) {
        if (p.pendingRead == null) {
            return;
        }
        CompletableFuture<Optional<ByteBuffer>> r = p.pendingRead;
        if (!p.chunks.isEmpty()) {
            p.pendingRead = null;
            ByteBuffer chunk = take(p);
            shared.network.io.execute(() -> r.complete(Optional.of(chunk)));
        } else if (p.finished) {
            p.pendingRead = null;
            shared.network.io.execute(() -> r.complete(Optional.empty()));
        }
    }

    /** Both directions finished and fully read: the stream is closed. Caller holds the monitor. */
    private void maybeClosed() {
        Pipe a = shared.toListener;
        Pipe b = shared.toDialler;
        if (a.finished && b.finished && a.chunks.isEmpty() && b.chunks.isEmpty()) {
            complete(shared.closed);
        }
    }

    private <T> void complete(CompletableFuture<T> f) {
        shared.network.io.execute(() -> f.complete(null));
    }

    private void fail(CompletableFuture<?> f, IOException e) {
        shared.network.io.execute(() -> f.completeExceptionally(e));
    }

    private String describe() {
        return shared.protocol + " " + direction;
    }
}
