package org.hyphae.host.internal.noise;

import java.util.List;

import java.net.SocketAddress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;

/**
 * Noise transport messages after the handshake: every frame is a 2-byte big-endian length and a
 * ChaChaPoly ciphertext of at most 65535 bytes (so at most 65519 bytes of plaintext).
 *
 * <p>Outbound data is encrypted when it is written, in the caller's {@code write}: once
 * {@code write} returns, the plaintext buffer has been read and released (the yamux layer
 * relies on this to complete a stream write without copying the caller's bytes). A write larger
 * than one frame is split; all its frames go into one buffer. Inbound frames are decrypted into
 * one buffer each and passed on (direct where libsodium seals, heap for the JDK's cipher). A bad
 * tag or exhausted nonce closes the connection.
 */
public final class NoiseTransportCodec extends ByteToMessageDecoder implements ChannelOutboundHandler {

    /** Longest ciphertext of one frame. */
    public static final int MAX_FRAME = 65535;
    /** Longest plaintext of one frame. */
    public static final int MAX_PLAINTEXT = MAX_FRAME - CipherState.TAG_LENGTH;

    private final CipherState send;
    private final CipherState receive;

    public NoiseTransportCodec(CipherState send, CipherState receive) {
        this.send = send;
        this.receive = receive;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf plain = (ByteBuf) msg;
        if (!plain.isReadable()) {
            plain.release();
            ctx.write(Unpooled.EMPTY_BUFFER, promise);
            return;
        }
        int length = plain.readableBytes();
        int frames = (length + MAX_PLAINTEXT - 1) / MAX_PLAINTEXT;
        int size = length + frames * (2 + CipherState.TAG_LENGTH);
        ByteBuf out = send.prefersDirectBuffers() ? ctx.alloc().directBuffer(size) : ctx.alloc().heapBuffer(size);
        try {
            encode(ctx, plain, out);
        } catch (NoiseException e) {
            out.release();
            promise.tryFailure(e);
            return;
        } finally {
            plain.release();
        }
        ctx.write(out, promise);
    }

    private void encode(ChannelHandlerContext ctx, ByteBuf msg, ByteBuf out) throws NoiseException {
        int index = msg.readerIndex();
        int end = msg.writerIndex();
        try {
            while (index < end) {
                int chunk = Math.min(MAX_PLAINTEXT, end - index);
                out.writeShort(chunk + CipherState.TAG_LENGTH);
                send.encrypt(msg, index, chunk, out);
                index += chunk;
            }
        } catch (NoiseException e) {
            System.getLogger(NoiseTransportCodec.class.getName()).log(System.Logger.Level.WARNING,
                    "closing {0}: {1}", ctx.channel(), e.getMessage());
            ctx.close();
            throw e;
        }
        msg.readerIndex(end);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        while (in.readableBytes() >= 2) {
            int index = in.readerIndex();
            int length = in.getUnsignedShort(index);
            if (length < CipherState.TAG_LENGTH) {
                throw new DecoderException(new NoiseException("Noise transport message of " + length
                        + " bytes from " + ctx.channel().remoteAddress() + " is shorter than its tag"));
            }
            if (in.readableBytes() < 2 + length) {
                return;
            }
            ByteBuf plain = receive.prefersDirectBuffers() ? ctx.alloc().directBuffer(length - CipherState.TAG_LENGTH)
                    : ctx.alloc().heapBuffer(length - CipherState.TAG_LENGTH);
            try {
                receive.decrypt(in, index + 2, length, plain);
            } catch (NoiseException e) {
                plain.release();
                throw new DecoderException(new NoiseException(e.getMessage() + " from "
                        + ctx.channel().remoteAddress(), e));
            }
            in.readerIndex(index + 2 + length);
            if (plain.isReadable()) {
                out.add(plain);
            } else {
                plain.release();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        System.getLogger(NoiseTransportCodec.class.getName()).log(System.Logger.Level.DEBUG,
                "closing {0}: {1}", ctx.channel(), cause.getCause() != null ? cause.getCause().toString() : cause.toString());
        ctx.fireExceptionCaught(cause);
        ctx.close();
    }

    // ---- the rest of ChannelOutboundHandler: pass through ----------------------------------

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
            ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }
}
