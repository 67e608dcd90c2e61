package org.hyphae.host.internal.multistream;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Runs one multistream-select 1.0 negotiation on a Netty channel (on the raw connection for the
 * security protocol, above Noise for the muxer). When it ends with a protocol the handler tells
 * its {@link Listener} (which installs the next handler after this one) and removes itself; bytes
 * the peer sent past the negotiation go on to that next handler. On any failure the listener hears
 * it, the reason is logged and the channel is closed.
 */
public final class MultistreamHandler extends ByteToMessageDecoder {

    private static final System.Logger LOG = System.getLogger(MultistreamHandler.class.getName());

    /** Told the outcome, on the channel's event loop. */
    public interface Listener {
        /** The protocol is agreed; install the handler that speaks it after {@code ctx}. */
        void selected(ChannelHandlerContext ctx, String protocol);

        /** The negotiation failed; the channel is being closed. */
        void failed(Throwable cause);
    }

    private final Negotiation negotiation;
    private final String purpose;
    private final Listener listener;
    private boolean started;
    private boolean finished;

    /**
     * @param purpose what is negotiated, for messages, e.g. {@code "security protocol"}
     */
    public MultistreamHandler(Negotiation negotiation, String purpose, Listener listener) {
        this.negotiation = negotiation;
        this.purpose = purpose;
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        // Started in a later task: whoever adds this handler may still be rearranging the pipeline
        // below it (the Noise codec replacing the handshake handler), and the first message must go
        // through the finished pipeline. Bytes that arrive first start it too (see decode).
        if (ctx.channel().isActive()) {
            ctx.executor().execute(() -> {
                if (!ctx.isRemoved()) {
                    start(ctx);
                }
            });
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        if (!started) {
            started = true;
            send(ctx, negotiation.start());
        }
    }

    private void send(ChannelHandlerContext ctx, List<String> messages) {
        if (!messages.isEmpty()) {
            ctx.writeAndFlush(MultistreamMessages.encode(ctx.alloc(), messages))
                    .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (finished) {
            return;
        }
        start(ctx);
        try {
            String message;
            while ((message = MultistreamMessages.read(in)) != null) {
                send(ctx, negotiation.onMessage(message));
                if (negotiation.isDone()) {
                    finished = true;
                    String protocol = negotiation.selected().orElse(null);
                    if (protocol == null) {
                        fail(ctx, new MultistreamException("the peer at " + ctx.channel().remoteAddress()
                                + " supports no proposed " + purpose));
                        return;
                    }
                    listener.selected(ctx, protocol);
                    // ByteToMessageDecoder hands what is left of the input to the next handler.
                    ctx.pipeline().remove(this);
                    return;
                }
            }
        } catch (MultistreamException e) {
            fail(ctx, new MultistreamException("multistream-select of the " + purpose + " with "
                    + ctx.channel().remoteAddress() + " failed: " + e.getMessage()));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!finished) {
            ClosedChannelException closed = new ClosedChannelException();
            closed.initCause(new IOException("connection to " + ctx.channel().remoteAddress()
                    + " closed during multistream-select of the " + purpose));
            fail(ctx, closed);
        }
        super.channelInactive(ctx);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        finished = true;
        LOG.log(Level.DEBUG, "closing {0}: {1}", ctx.channel(), cause.toString());
        listener.failed(cause);
        ctx.close();
    }

    private boolean failed;
}
