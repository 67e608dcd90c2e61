package org.hyphae.host.internal.yamux;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * A yamux session (hashicorp/yamux spec.md, libp2p {@code /yamux/1.0.0}) as the last handler of a
 * secured channel.
 *
 * <p>Threading: every piece of session and stream state lives on the channel's event loop; calls
 * from other threads hop onto it, so there are no locks. User futures are completed on the
 * {@code callbacks} executor, never on the event loop, so a slow or blocking callback cannot stall
 * the connection.
 *
 * <p>Outbound data is written without copying the caller's buffer: this relies on the handler
 * below (the Noise codec) consuming written buffers synchronously in {@code write}.
 *
 * <p>Violations that the spec leaves no way to recover from (bad version, unknown type, window
 * overrun, a frame for a stream that was never opened, a wrong stream id) send GoAway with the
 * protocol-error code and close the connection; data after the peer's FIN resets only that
 * stream; streams beyond {@link YamuxSettings#maxStreams()} are reset. Each is logged with the
 * reason.
 */
public final class YamuxSession extends ByteToMessageDecoder {

    private static final System.Logger LOG = System.getLogger(YamuxSession.class.getName());
    /** Data per frame: a header and this fill exactly one Noise frame (65519 bytes of plaintext). */
    static final int MAX_FRAME_DATA = 65519 - YamuxFrame.HEADER_LENGTH;

    private final boolean client;
    private final YamuxSettings settings;
    private final Executor callbacks;
    private final Consumer<YamuxStream> inbound;
    private final Map<Integer, YamuxStream> streams = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile Connection connection;
    private ChannelHandlerContext ctx;
    private int nextStreamId;
    private int lastRemoteStreamId;
    private boolean goAwaySent;
    private volatile boolean goAwayReceived;
    private boolean inactive;
    private String closeReason;
    private ScheduledFuture<?> keepAlive;
    private boolean started;
    private int pingId;
    private int outstandingPing = -1;
    private long pingSentNanos;
    /** Smoothed round-trip time from pings, 0 until the first answer; drives window auto-tuning. */
    private long rttNanos;

    /**
     * @param client whether this side dialled (it then opens odd stream ids)
     * @param inbound told of each stream the peer opens, on the event loop; must not block
     */
    public YamuxSession(boolean client, YamuxSettings settings, Executor callbacks, Consumer<YamuxStream> inbound) {
        this.client = client;
        this.settings = settings;
        this.callbacks = callbacks;
        this.inbound = inbound;
        this.nextStreamId = client ? 1 : 2;
    }

    // ---- public API (any thread) -----------------------------------------------------------------

    /** Sets the connection the streams report as theirs. */
    public void connection(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /**
     * Opens a stream.
     *
     * @return completes with the stream (usable at once; the peer acknowledges it later), or fails
     *     if the session is closing or at its stream limit
     */
    public CompletableFuture<YamuxStream> openStream() {
        CompletableFuture<YamuxStream> result = new CompletableFuture<>();
        if (ctx == null) {
            result.completeExceptionally(new IllegalStateException("session not yet in a pipeline"));
            return result;
        }
        onLoop(() -> {
            if (goAwaySent || inactive) {
                completeExceptionally(result, new YamuxException("connection to " + remote() + " is closing"
                        + (closeReason == null ? "" : ": " + closeReason)));
                return;
            }
            if (goAwayReceived) {
                completeExceptionally(result, new YamuxException("peer " + remote() + " sent GoAway: no new streams"));
                return;
            }
            if (streams.size() >= settings.maxStreams()) {
                completeExceptionally(result, new YamuxException("connection to " + remote() + " has "
                        + streams.size() + " streams open, the limit"));
                return;
            }
            if (nextStreamId < 0) {
                completeExceptionally(result, new YamuxException("stream ids exhausted on " + remote()));
                return;
            }
            int id = nextStreamId;
            nextStreamId += 2;
            YamuxStream stream = new YamuxStream(this, id, Direction.OUTBOUND, settings.initialWindow());
            streams.put(id, stream);
            sendControl(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, id,
                    settings.initialWindow() - YamuxSettings.SPEC_INITIAL_WINDOW);
            complete(result, stream);
        });
        return result;
    }

    /** The open streams now. */
    public List<YamuxStream> streams() {
        return new ArrayList<>(streams.values());
    }

    /** Sends GoAway (normal termination), then closes the connection; idempotent. */
    public void close() {
        if (ctx == null) {
            return;
        }
        onLoop(() -> goAway(YamuxFrame.GO_AWAY_NORMAL, null));
    }

    /** Completes when the connection has closed. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /** Whether the peer has sent GoAway. */
    public boolean goAwayReceived() {
        return goAwayReceived;
    }

    /** The measured round-trip time in nanoseconds, 0 if not yet known. */
    public long rttNanos() {
        return rttNanos;
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        // One ping at once measures the round trip for window auto-tuning.
        sendPing();
        long interval = settings.keepAliveInterval().toNanos();
        if (interval > 0) {
            keepAlive = ctx.executor().scheduleAtFixedRate(this::keepAliveTick, interval, interval, TimeUnit.NANOSECONDS);
        }
    }

    private void keepAliveTick() {
        if (outstandingPing >= 0) {
            LOG.log(Level.INFO, "closing connection to {0}: no answer to a keep-alive ping in {1}", remote(),
                    settings.keepAliveInterval());
            goAway(YamuxFrame.GO_AWAY_NORMAL, "keep-alive timeout");
            return;
        }
        sendPing();
    }

    private void sendPing() {
        outstandingPing = pingId++ & 0x7FFFFFFF;
        pingSentNanos = System.nanoTime();
        sendControl(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, outstandingPing);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        inactive = true;
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
        String reason = "connection to " + remote() + " closed" + (closeReason == null ? "" : ": " + closeReason);
        for (YamuxStream s : new ArrayList<>(streams.values())) {
            s.connectionClosed(reason);
        }
        streams.clear();
        complete(closed, null);
        super.channelInactive(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            for (YamuxStream s : streams.values()) {
                s.pump();
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause.getCause() != null ? cause.getCause() : cause;
        LOG.log(Level.INFO, "closing connection to {0}: {1}", remote(), root.toString());
        if (closeReason == null) {
            closeReason = root.getMessage();
        }
        ctx.close();
    }

    // ---- inbound frames -------------------------------------------------------------------------

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= YamuxFrame.HEADER_LENGTH && !inactive && !goAwaySentWithError) {
            int at = in.readerIndex();
            int version = in.getUnsignedByte(at);
            int type = in.getUnsignedByte(at + 1);
            int flags = in.getUnsignedShort(at + 2);
            int id = in.getInt(at + 4);
            long length = in.getUnsignedInt(at + 8);
            if (version != YamuxFrame.VERSION) {
                protocolError("unsupported yamux version " + version);
                return;
            }
            if (type == YamuxFrame.TYPE_DATA) {
                if (!data(in, flags, id, length)) {
                    return;
                }
                continue;
            }
            in.skipBytes(YamuxFrame.HEADER_LENGTH);
            switch (type) {
                case YamuxFrame.TYPE_WINDOW_UPDATE -> windowUpdate(flags, id, length);
                case YamuxFrame.TYPE_PING -> ping(flags, id, length);
                case YamuxFrame.TYPE_GO_AWAY -> goAwayFrame(length);
                default -> protocolError("unknown frame type " + type);
            }
        }
    }

    /** @return false to wait for more bytes or stop */
    private boolean data(ByteBuf in, int flags, int id, long length) {
        YamuxStream stream = streamFor(flags, id, "Data");
        if (inactive || goAwaySentWithError) {
            return false;
        }
        if (stream == null) {
            // A stream that existed and is gone (reset or closed): the peer may have sent this before
            // it knew. Skip the bytes, but never wait for more than a window's worth.
            if (length > settings.maxWindow()) {
                protocolError("Data frame of " + length + " bytes for closed stream " + id + " exceeds any window");
                return false;
            }
            if (in.readableBytes() < YamuxFrame.HEADER_LENGTH + length) {
                return false;
            }
            in.skipBytes(YamuxFrame.HEADER_LENGTH + (int) length);
            return true;
        }
        if (length > stream.receiveWindow()) {
            protocolError("window overrun on stream " + id + ": Data frame of " + length + " bytes, window "
                    + stream.receiveWindow());
            return false;
        }
        if (in.readableBytes() < YamuxFrame.HEADER_LENGTH + length) {
            return false;
        }
        in.skipBytes(YamuxFrame.HEADER_LENGTH);
        if (length > 0) {
            stream.received(in.readRetainedSlice((int) length));
        }
        stream.flags(flags);
        return true;
    }

    private void windowUpdate(int flags, int id, long delta) {
        YamuxStream stream = streamFor(flags, id, "WindowUpdate");
        if (stream != null) {
            stream.windowUpdate(delta);
            stream.flags(flags);
        }
    }

    /**
     * The stream a frame is for, opening it on SYN.
     *
     * @return null if the frame is for a stream that is gone, or after a protocol error
     */
    private YamuxStream streamFor(int flags, int id, String type) {
        if (id == 0) {
            protocolError(type + " frame on stream 0");
            return null;
        }
        if ((flags & YamuxFrame.FLAG_SYN) != 0) {
            return remoteOpened(id);
        }
        YamuxStream stream = streams.get(id);
        if (stream == null && !knownId(id)) {
            protocolError(type + " frame for stream " + id + ", which was never opened");
        }
        return stream;
    }

    private boolean knownId(int id) {
        boolean ours = (id % 2 == 1) == client;
        return ours ? Integer.compareUnsigned(id, nextStreamId) < 0 : Integer.compareUnsigned(id, lastRemoteStreamId) <= 0;
    }

    private YamuxStream remoteOpened(int id) {
        boolean ours = (id % 2 == 1) == client;
        if (ours || Integer.compareUnsigned(id, lastRemoteStreamId) <= 0) {
            protocolError("peer opened stream " + id + (ours ? ", an id of this side's parity"
                    : ", not above its last stream " + lastRemoteStreamId));
            return null;
        }
        lastRemoteStreamId = id;
        if (goAwaySent) {
            sendControl(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, id, 0);
            return null;
        }
        if (streams.size() >= settings.maxStreams()) {
            LOG.log(Level.INFO, "resetting stream {0} from {1}: {2} streams open, the limit", id, remote(),
                    streams.size());
            sendControl(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_RST, id, 0);
            return null;
        }
        YamuxStream stream = new YamuxStream(this, id, Direction.INBOUND, settings.initialWindow());
        streams.put(id, stream);
        sendControl(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_ACK, id,
                settings.initialWindow() - YamuxSettings.SPEC_INITIAL_WINDOW);
        try {
            inbound.accept(stream);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "inbound stream handler failed on stream " + id + " from " + remote(), e);
            stream.reset();
        }
        return stream;
    }

    private void ping(int flags, int id, long opaque) {
        if (id != 0) {
            protocolError("Ping on stream " + id);
            return;
        }
        if ((flags & YamuxFrame.FLAG_SYN) != 0) {
            sendControl(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_ACK, 0, opaque);
        } else if ((flags & YamuxFrame.FLAG_ACK) != 0 && opaque == outstandingPing) {
            long sample = System.nanoTime() - pingSentNanos;
            rttNanos = rttNanos == 0 ? sample : (rttNanos * 7 + sample) / 8;
            outstandingPing = -1;
        }
    }

    private void goAwayFrame(long code) {
        goAwayReceived = true;
        Level level = code == YamuxFrame.GO_AWAY_NORMAL ? Level.DEBUG : Level.INFO;
        LOG.log(level, "peer {0} sent GoAway ({1})", remote(), code == 0 ? "normal" : code == 1 ? "protocol error"
                : code == 2 ? "internal error" : "code " + code);
    }

    private boolean goAwaySentWithError;

    /** Sends GoAway with the protocol-error code, logs why, and closes the connection. */
    void protocolError(String reason) {
        if (goAwaySentWithError || inactive) {
            return;
        }
        goAwaySentWithError = true;
        LOG.log(Level.INFO, "closing connection to {0}: yamux protocol violation: {1}", remote(), reason);
        goAway(YamuxFrame.GO_AWAY_PROTOCOL_ERROR, "yamux protocol violation: " + reason);
    }

    private void goAway(int code, String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        if (inactive) {
            return;
        }
        if (!goAwaySent) {
            goAwaySent = true;
            ByteBuf frame = ctx.alloc().buffer(YamuxFrame.HEADER_LENGTH);
            YamuxFrame.writeHeader(frame, YamuxFrame.TYPE_GO_AWAY, 0, 0, code);
            ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    // ---- for streams (event loop) ---------------------------------------------------------------

    /**
     * Takes {@code bytes} of window growth from the session's budget: all streams together may
     * grow their windows past the initial size by at most four maximum windows (64 MiB with the
     * defaults), so a peer cannot make one connection buffer max-window times max-streams.
     */
    boolean reserveWindowGrowth(int bytes) {
        long budget = 4L * settings.maxWindow();
        if (windowGrowth + bytes > budget) {
            return false;
        }
        windowGrowth += bytes;
        return true;
    }

    void releaseWindowGrowth(int bytes) {
        windowGrowth -= bytes;
    }

    private long windowGrowth;

    ChannelHandlerContext ctx() {
        return ctx;
    }

    YamuxSettings settings() {
        return settings;
    }

    boolean writable() {
        return ctx.channel().isWritable() && !inactive;
    }

    void sendControl(int type, int flags, int id, long length) {
        if (inactive) {
            return;
        }
        ByteBuf frame = ctx.alloc().buffer(YamuxFrame.HEADER_LENGTH);
        YamuxFrame.writeHeader(frame, type, flags, id, length);
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    void removed(YamuxStream stream) {
        streams.remove(stream.id(), stream);
    }

    void onLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }

    <T> void complete(CompletableFuture<T> future, T value) {
        try {
            callbacks.execute(() -> future.complete(value));
        } catch (RejectedExecutionException e) {
            future.complete(value);
        }
    }

    void completeExceptionally(CompletableFuture<?> future, Throwable error) {
        try {
            callbacks.execute(() -> future.completeExceptionally(error));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(error);
        }
    }

    String remote() {
        Connection c = connection;
        if (c != null) {
            return c.remotePeer() + " at " + c.remoteAddress();
        }
        return ctx == null ? "?" : String.valueOf(ctx.channel().remoteAddress());
    }

    long rtt() {
        return rttNanos;
    }

    /** Overrides the measured round trip (tests of auto-tuning on a machine of any speed). */
    void rttNanos(long nanos) {
        rttNanos = nanos;
    }
}
