package org.hyphae.host.internal.yamux;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;

/**
 * One yamux stream. All state is confined to the session's event loop; the {@link Stream} methods
 * hop onto it and their futures complete on the session's callback executor.
 *
 * <p>Flow control: the peer may send at most {@link #receiveWindow()} more bytes; what it sends is
 * buffered until {@link #read()} takes it, and only then is the window re-opened (in one update
 * once half the window is consumed), so buffered data never exceeds the window granted. The
 * window doubles, up to the session's maximum, when a half window is consumed within four round
 * trips (go-yamux's auto-tuning), as long as the session's growth budget allows. A {@link #write} completes once its last byte fits the peer's
 * window and has been handed to the connection (encrypted), and waits while the connection's
 * outbound buffer is above its high-water mark.
 */
public final class YamuxStream implements Stream {

    private static final System.Logger LOG = System.getLogger(YamuxStream.class.getName());
    /**
     * Most bytes one read returns. Each read is a new array: at 1 MiB it was a humongous object for
     * G1 with the 2 MiB regions of a 6 GiB heap (half a region or more), allocated outside the
     * young generation; 256 KiB stays under half of the smallest region, 1 MiB.
     */
    static final int MAX_READ = 256 * 1024;

    private final YamuxSession session;
    private final int id;
    private final Direction direction;
    private volatile String protocol;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    // Event-loop state.
    private long sendWindow = YamuxSettings.SPEC_INITIAL_WINDOW;
    private int windowSize;
    private long receiveWindow;
    private long unacknowledged;
    private long epochStart = System.nanoTime();
    private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
    private ByteBuffer pushedBack;
    private CompletableFuture<Optional<ByteBuffer>> pendingRead;
    private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
    private boolean localClosed;
    private boolean finSent;
    private boolean remoteClosed;
    private boolean reset;
    private String failure;

    private record PendingWrite(ByteBuf data, CompletableFuture<Void> done) {
        boolean isFin() {
            return data == null;
        }
    }

    YamuxStream(YamuxSession session, int id, Direction direction, int initialWindow) {
        this.session = session;
        this.id = id;
        this.direction = direction;
        this.windowSize = initialWindow;
        this.receiveWindow = initialWindow;
    }

    public int id() {
        return id;
    }

    /** Sets the protocol once multistream-select has agreed on it. */
    public void protocol(String protocol) {
        this.protocol = protocol;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public Connection connection() {
        return session.connection();
    }

    @Override
    public Direction direction() {
        return direction;
    }

    long receiveWindow() {
        return receiveWindow;
    }

    /** The current receive window size, after auto-tuning. */
    int windowSize() {
        return windowSize;
    }

    // ---- reading --------------------------------------------------------------------------------

    @Override
    public CompletionStage<Optional<ByteBuffer>> read() {
        CompletableFuture<Optional<ByteBuffer>> result = new CompletableFuture<>();
        session.onLoop(() -> {
            if (pendingRead != null) {
                session.completeExceptionally(result, new IllegalStateException("a read is already pending on " + this));
                return;
            }
            pendingRead = result;
            deliver();
        });
        return result;
    }

    /**
     * Gives back bytes read past a negotiation, to be returned first by the next read. They were
     * already counted as consumed for flow control.
     */
    public void unread(ByteBuffer bytes) {
        session.onLoop(() -> {
            if (!bytes.hasRemaining() || reset) {
                return;
            }
            if (pushedBack == null || !pushedBack.hasRemaining()) {
                pushedBack = bytes;
            } else {
                ByteBuffer merged = ByteBuffer.allocate(bytes.remaining() + pushedBack.remaining());
                merged.put(bytes).put(pushedBack).flip();
                pushedBack = merged;
            }
            deliver();
        });
    }

    private void deliver() {
        CompletableFuture<Optional<ByteBuffer>> waiting = pendingRead;
        if (waiting == null) {
            return;
        }
        if (pushedBack != null && pushedBack.hasRemaining()) {
            pendingRead = null;
            ByteBuffer out = pushedBack;
            pushedBack = null;
            session.complete(waiting, Optional.of(out));
            return;
        }
        if (!inbound.isEmpty()) {
            pendingRead = null;
            int total = 0;
            for (ByteBuf b : inbound) {
                total += b.readableBytes();
                if (total >= MAX_READ) {
                    break;
                }
            }
            int n = Math.min(total, MAX_READ);
            byte[] bytes = new byte[n];
            int pos = 0;
            while (pos < n) {
                ByteBuf b = inbound.peek();
                int take = Math.min(b.readableBytes(), n - pos);
                b.readBytes(bytes, pos, take);
                pos += take;
                if (!b.isReadable()) {
                    inbound.poll().release();
                }
            }
            consumed(n);
            session.complete(waiting, Optional.of(ByteBuffer.wrap(bytes)));
            return;
        }
        if (reset) {
            pendingRead = null;
            session.completeExceptionally(waiting, new YamuxException(failure));
        } else if (remoteClosed) {
            pendingRead = null;
            session.complete(waiting, Optional.empty());
        }
    }

    /** Re-opens the window for consumed bytes, once half of it is used up. */
    private void consumed(int n) {
        unacknowledged += n;
        if (remoteClosed || reset || unacknowledged < windowSize / 2) {
            return;
        }
        long now = System.nanoTime();
        long rtt = session.rtt();
        int grow = 0;
        int max = session.settings().maxWindow();
        if (rtt > 0 && now - epochStart < 4 * rtt && windowSize < max) {
            int next = (int) Math.min((long) windowSize * 2, max);
            if (session.reserveWindowGrowth(next - windowSize)) {
                grow = next - windowSize;
                windowSize = next;
            }
        }
        epochStart = now;
        long delta = unacknowledged + grow;
        unacknowledged = 0;
        receiveWindow += delta;
        session.sendControl(YamuxFrame.TYPE_WINDOW_UPDATE, 0, id, delta);
    }

    /** Data from the peer (already checked against the window). */
    void received(ByteBuf data) {
        if (remoteClosed || reset) {
            data.release();
            if (!reset) {
                LOG.log(Level.INFO, "resetting stream {0} from {1}: Data after the peer closed it (FIN)", id,
                        session.remote());
                resetWith("peer sent data after closing its side of stream " + id);
            }
            return;
        }
        receiveWindow -= data.readableBytes();
        ProtocolTraffic.received(protocol, data.readableBytes());
        inbound.add(data);
        deliver();
    }

    /** The flags of a frame for this stream (after its payload). */
    void flags(int flags) {
        if ((flags & YamuxFrame.FLAG_RST) != 0) {
            if (!reset) {
                failure = "stream " + id + " reset by " + session.remote();
                terminate();
            }
            return;
        }
        if ((flags & YamuxFrame.FLAG_FIN) != 0 && !remoteClosed && !reset) {
            remoteClosed = true;
            deliver();
            maybeClosed();
        }
    }

    // ---- writing --------------------------------------------------------------------------------

    @Override
    public CompletionStage<Void> write(ByteBuffer data) {
        // Wrapped, not copied: the Noise codec encrypts it before the future completes.
        return write(Unpooled.wrappedBuffer(data));
    }

    /** Wrapped together, not copied. */
    @Override
    public CompletionStage<Void> write(java.util.List<ByteBuffer> data) {
        return write(Unpooled.wrappedBuffer(data.toArray(ByteBuffer[]::new)));
    }

    private CompletionStage<Void> write(ByteBuf wrapped) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        session.onLoop(() -> {
            if (reset || localClosed) {
                wrapped.release();
                session.completeExceptionally(result, new YamuxException(reset ? failure
                        : "stream " + id + " is closed for writing"));
                return;
            }
            ProtocolTraffic.sent(protocol, wrapped.readableBytes());
            writes.add(new PendingWrite(wrapped, result));
            pump();
        });
        return result;
    }

    @Override
    public CompletionStage<Void> closeWrite() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        session.onLoop(() -> {
            if (reset) {
                session.completeExceptionally(result, new YamuxException(failure));
                return;
            }
            if (localClosed) {
                session.complete(result, null);
                return;
            }
            localClosed = true;
            writes.add(new PendingWrite(null, result));
            pump();
        });
        return result;
    }

    void windowUpdate(long delta) {
        sendWindow += delta;
        pump();
    }

    /** Sends what the window and the connection allow. */
    void pump() {
        boolean wrote = false;
        while (!writes.isEmpty() && !reset && session.writable()) {
            PendingWrite w = writes.peek();
            if (w.isFin()) {
                writes.poll();
                finSent = true;
                session.sendControl(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, id, 0);
                session.complete(w.done(), null);
                maybeClosed();
                break;
            }
            if (!w.data().isReadable()) {
                // An empty write needs no window.
                writes.poll();
                w.data().release();
                session.complete(w.done(), null);
                continue;
            }
            if (sendWindow <= 0) {
                break;
            }
            int n = (int) Math.min(Math.min(w.data().readableBytes(), sendWindow), YamuxSession.MAX_FRAME_DATA);
            ByteBuf header = session.ctx().alloc().buffer(YamuxFrame.HEADER_LENGTH);
            YamuxFrame.writeHeader(header, YamuxFrame.TYPE_DATA, 0, id, n);
            CompositeByteBuf frame = session.ctx().alloc().compositeBuffer(2);
            frame.addComponents(true, header, w.data().readRetainedSlice(n));
            session.ctx().write(frame).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            wrote = true;
            sendWindow -= n;
            if (!w.data().isReadable()) {
                writes.poll();
                w.data().release();
                session.complete(w.done(), null);
            }
        }
        if (wrote) {
            session.ctx().flush();
        }
    }

    // ---- ending ---------------------------------------------------------------------------------

    @Override
    public void reset() {
        session.onLoop(() -> {
            if (reset || (finSent && remoteClosed)) {
                return;
            }
            resetWith("stream " + id + " was reset by this side");
        });
    }

    private void resetWith(String reason) {
        failure = reason;
        session.sendControl(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, id, 0);
        terminate();
    }

    void connectionClosed(String reason) {
        if (!reset) {
            failure = reason;
            terminate();
        }
    }

    private void terminate() {
        reset = true;
        for (ByteBuf b : inbound) {
            b.release();
        }
        inbound.clear();
        pushedBack = null;
        PendingWrite w;
        while ((w = writes.poll()) != null) {
            if (w.data() != null) {
                w.data().release();
            }
            session.completeExceptionally(w.done(), new YamuxException(failure));
        }
        deliver();
        ended();
    }

    /** Leaves the session's stream table and gives back the window growth this stream held. */
    private void ended() {
        if (!ended) {
            ended = true;
            session.releaseWindowGrowth(windowSize - session.settings().initialWindow());
            session.removed(this);
            session.complete(closed, null);
        }
    }

    private boolean ended;

    private void maybeClosed() {
        if (finSent && remoteClosed) {
            ended();
        }
    }

    @Override
    public CompletionStage<Void> closed() {
        return closed;
    }

    @Override
    public String toString() {
        return "yamux stream " + id + " (" + direction + (protocol == null ? "" : ", " + protocol) + ") with "
                + session.remote();
    }
}
