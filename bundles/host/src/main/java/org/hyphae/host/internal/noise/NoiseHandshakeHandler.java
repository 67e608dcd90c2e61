package org.hyphae.host.internal.noise;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Runs the libp2p Noise XX handshake on a channel: 2-byte big-endian length-prefixed messages, the
 * responder's identity payload in message 2 and the initiator's in message 3. Each payload's
 * signature over {@code "noise-libp2p-static-key:" + static key} is checked against its identity
 * key, and the initiator checks the responder's peer id against the one it dialled before it
 * reveals its own identity. On success the {@link Listener} replaces this handler with a
 * {@link NoiseTransportCodec}; bytes after the last handshake message go on to it.
 */
public final class NoiseHandshakeHandler extends ByteToMessageDecoder {

    private static final System.Logger LOG = System.getLogger(NoiseHandshakeHandler.class.getName());

    /**
     * The outcome of a handshake.
     *
     * @param remotePeer the authenticated peer
     * @param remoteIdentityKey its {@code PublicKey} protobuf
     * @param send the cipher for what this side sends
     * @param receive the cipher for what it receives
     * @param remoteStreamMuxers the muxers the peer listed in its extensions (may be empty)
     */
    public record Result(PeerId remotePeer, byte[] remoteIdentityKey, CipherState send, CipherState receive,
            List<String> remoteStreamMuxers) {
    }

    /** Told the outcome, on the event loop. */
    public interface Listener {
        /** Replace {@code ctx}'s handler with the transport codec built from {@code result}. */
        void established(ChannelHandlerContext ctx, Result result);

        void failed(Throwable cause);
    }

    private final NoiseXX xx;
    private final Identity identity;
    private final Optional<PeerId> expected;
    private final Listener listener;
    private boolean started;
    private boolean done;
    private boolean gotMessage1;

    public NoiseHandshakeHandler(boolean initiator, NoiseStaticKey staticKey, Identity identity,
            Optional<PeerId> expectedRemote, SecureRandom random, Listener listener) {
        this.xx = new NoiseXX(initiator, staticKey, random);
        this.identity = identity;
        this.expected = expectedRemote;
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        if (xx.isInitiator()) {
            try {
                send(ctx, xx.writeMessage1());
            } catch (NoiseException e) {
                fail(ctx, e);
            }
        }
    }

    private static void send(ChannelHandlerContext ctx, byte[] message) {
        ByteBuf frame = ctx.alloc().buffer(2 + message.length);
        frame.writeShort(message.length);
        frame.writeBytes(message);
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!done && in.readableBytes() >= 2) {
            int length = in.getUnsignedShort(in.readerIndex());
            if (in.readableBytes() < 2 + length) {
                return;
            }
            in.skipBytes(2);
            byte[] message = new byte[length];
            in.readBytes(message);
            try {
                step(ctx, message);
            } catch (NoiseException e) {
                fail(ctx, e);
                return;
            } catch (RuntimeException e) {
                fail(ctx, new NoiseException("Noise handshake with " + ctx.channel().remoteAddress() + " failed: " + e, e));
                return;
            }
        }
    }

    private void step(ChannelHandlerContext ctx, byte[] message) throws NoiseException {
        if (xx.isInitiator()) {
            NoiseHandshakePayload payload = NoiseHandshakePayload.decode(xx.readMessage2(message));
            PeerId peer = authenticate(ctx, payload);
            send(ctx, xx.writeMessage3());
            finish(ctx, peer, payload);
        } else if (!gotMessage1) {
            gotMessage1 = true;
            xx.readMessage1(message);
            send(ctx, xx.writeMessage2());
        } else {
            NoiseHandshakePayload payload = NoiseHandshakePayload.decode(xx.readMessage3(message));
            finish(ctx, authenticate(ctx, payload), payload);
        }
    }

    private PeerId authenticate(ChannelHandlerContext ctx, NoiseHandshakePayload payload) throws NoiseException {
        PeerId peer;
        boolean valid;
        try {
            peer = PeerId.fromPublicKeyProtobuf(payload.identityKey());
            valid = identity.verify(payload.identityKey(), NoiseStaticKey.signedData(xx.remoteStaticKey()),
                    payload.identitySig());
        } catch (IllegalArgumentException e) {
            throw new NoiseException("peer at " + ctx.channel().remoteAddress() + " sent an unusable identity key: "
                    + e.getMessage(), e);
        }
        if (!valid) {
            throw new NoiseException("peer at " + ctx.channel().remoteAddress() + " claiming to be " + peer
                    + " sent an identity signature over its static Noise key that does not verify");
        }
        if (expected.isPresent() && !expected.get().equals(peer)) {
            throw new PeerIdMismatchException(expected.get(), peer, ctx.channel().remoteAddress());
        }
        return peer;
    }

    private void finish(ChannelHandlerContext ctx, PeerId peer, NoiseHandshakePayload payload) {
        done = true;
        CipherState[] ciphers = xx.split();
        listener.established(ctx, new Result(peer, payload.identityKey(), ciphers[0], ciphers[1],
                payload.streamMuxers()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!done) {
            ClosedChannelException closed = new ClosedChannelException();
            closed.initCause(new IOException("connection to " + ctx.channel().remoteAddress()
                    + " closed during the Noise handshake"));
            fail(ctx, closed);
        }
        super.channelInactive(ctx);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        done = true;
        LOG.log(Level.DEBUG, "closing {0}: {1}", ctx.channel(), cause.toString());
        listener.failed(cause);
        ctx.close();
    }

    private boolean failed;
}
