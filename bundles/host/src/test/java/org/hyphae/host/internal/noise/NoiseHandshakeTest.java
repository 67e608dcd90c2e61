package org.hyphae.host.internal.noise;

import org.hyphae.transport.testkit.TestIdentity;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.hyphae.identity.PeerId;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

class NoiseHandshakeTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    static final class Side implements NoiseHandshakeHandler.Listener {
        final AtomicReference<NoiseHandshakeHandler.Result> result = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<ByteBuf> received = new ArrayList<>();

        @Override
        public void established(ChannelHandlerContext ctx, NoiseHandshakeHandler.Result r) {
            result.set(r);
            ctx.pipeline().replace(ctx.handler(), "noise", new NoiseTransportCodec(r.send(), r.receive()));
            ctx.pipeline().addLast("sink", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext c, Object msg) {
                    received.add((ByteBuf) msg);
                }
            });
        }

        @Override
        public void failed(Throwable cause) {
            failure.set(cause);
        }

        byte[] drain() {
            ByteBuf all = Unpooled.buffer();
            for (ByteBuf b : received) {
                all.writeBytes(b);
                b.release();
            }
            received.clear();
            byte[] out = new byte[all.readableBytes()];
            all.readBytes(out);
            all.release();
            return out;
        }
    }

    private static EmbeddedChannel channel(boolean initiator, NoiseStaticKey key, TestIdentity id,
            Optional<PeerId> expected, Side side) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new NoiseHandshakeHandler(initiator, key, id, expected, RANDOM, side));
        return ch;
    }

    @Test
    void handshakeAuthenticatesBothSidesAndTransportRoundTrips() {
        TestIdentity alice = TestIdentity.random();
        TestIdentity bob = TestIdentity.random();
        Side a = new Side();
        Side b = new Side();
        EmbeddedChannel ia = channel(true, NoiseStaticKey.generate(alice, RANDOM), alice,
                Optional.of(bob.peerId()), a);
        EmbeddedChannel rb = channel(false, NoiseStaticKey.generate(bob, RANDOM), bob, Optional.empty(), b);
        Shuttle.run(ia, rb);
        assertNull(a.failure.get());
        assertNull(b.failure.get());
        assertEquals(bob.peerId(), a.result.get().remotePeer());
        assertEquals(alice.peerId(), b.result.get().remotePeer());
        assertArrayEquals(alice.publicKeyProtobuf(), b.result.get().remoteIdentityKey());

        // A write larger than a Noise frame is split into frames of at most 65535 bytes.
        byte[] big = new byte[200_000];
        RANDOM.nextBytes(big);
        ia.writeAndFlush(Unpooled.wrappedBuffer(big));
        ByteBuf wire = ia.readOutbound();
        int frames = 0;
        for (int i = wire.readerIndex(); i < wire.writerIndex();) {
            int len = wire.getUnsignedShort(i);
            assertTrue(len <= 65535);
            i += 2 + len;
            frames++;
        }
        assertEquals(4, frames);
        rb.writeInbound(wire);
        assertArrayEquals(big, b.drain());
        rb.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        Shuttle.run(ia, rb);
        assertArrayEquals(new byte[] {1, 2, 3}, a.drain());
        assertFalse(ia.finishAndReleaseAll());
        assertFalse(rb.finishAndReleaseAll());
    }

    @Test
    void badIdentitySignatureIsRefused() {
        TestIdentity alice = TestIdentity.random();
        TestIdentity bob = TestIdentity.random();
        NoiseStaticKey bobKey = NoiseStaticKey.generate(bob, RANDOM);
        byte[] forged = new byte[64];
        RANDOM.nextBytes(forged);
        NoiseStaticKey forgedKey = bobKey.withPayload(
                new NoiseHandshakePayload(bob.publicKeyProtobuf(), forged, List.of()).encode());
        Side a = new Side();
        Side b = new Side();
        EmbeddedChannel ia = channel(true, NoiseStaticKey.generate(alice, RANDOM), alice, Optional.empty(), a);
        EmbeddedChannel rb = channel(false, forgedKey, bob, Optional.empty(), b);
        Shuttle.run(ia, rb);
        assertInstanceOf(NoiseException.class, a.failure.get());
        assertTrue(a.failure.get().getMessage().contains("does not verify"), a.failure.get().getMessage());
        assertNull(a.result.get());
        assertFalse(ia.isOpen());
        ia.finishAndReleaseAll();
        rb.finishAndReleaseAll();
    }

    @Test
    void someoneElsesSignatureIsRefused() {
        // Bob's static key vouched for by Bob, but claiming Mallory's identity key.
        TestIdentity alice = TestIdentity.random();
        TestIdentity bob = TestIdentity.random();
        TestIdentity mallory = TestIdentity.random();
        NoiseStaticKey bobKey = NoiseStaticKey.generate(bob, RANDOM);
        NoiseStaticKey claimed = bobKey.withPayload(new NoiseHandshakePayload(mallory.publicKeyProtobuf(),
                bob.sign(NoiseStaticKey.signedData(bobKey.publicKey())), List.of()).encode());
        Side a = new Side();
        Side b = new Side();
        EmbeddedChannel ia = channel(false, NoiseStaticKey.generate(alice, RANDOM), alice, Optional.empty(), a);
        EmbeddedChannel rb = channel(true, claimed, bob, Optional.empty(), b);
        Shuttle.run(ia, rb);
        assertInstanceOf(NoiseException.class, a.failure.get());
        assertTrue(a.failure.get().getMessage().contains(mallory.peerId().toString()));
        ia.finishAndReleaseAll();
        rb.finishAndReleaseAll();
    }

    @Test
    void peerWhoseKeyDoesNotMatchTheDialledIdIsRefused() {
        TestIdentity alice = TestIdentity.random();
        TestIdentity bob = TestIdentity.random();
        PeerId expected = TestIdentity.random().peerId();
        Side a = new Side();
        Side b = new Side();
        EmbeddedChannel ia = channel(true, NoiseStaticKey.generate(alice, RANDOM), alice, Optional.of(expected), a);
        EmbeddedChannel rb = channel(false, NoiseStaticKey.generate(bob, RANDOM), bob, Optional.empty(), b);
        Shuttle.run(ia, rb);
        PeerIdMismatchException e = assertInstanceOf(PeerIdMismatchException.class, a.failure.get());
        assertTrue(e.getMessage().contains(expected.toString()) && e.getMessage().contains(bob.peerId().toString()),
                e.getMessage());
        assertFalse(ia.isOpen());
        // The responder never learnt who dialled: the initiator stopped before message 3.
        assertNull(b.result.get());
        ia.finishAndReleaseAll();
        rb.finishAndReleaseAll();
    }

    @Test
    void garbageHandshakeMessageClosesTheConnection() {
        TestIdentity alice = TestIdentity.random();
        Side a = new Side();
        EmbeddedChannel ia = channel(true, NoiseStaticKey.generate(alice, RANDOM), alice, Optional.empty(), a);
        ia.releaseOutbound();
        byte[] junk = new byte[65535];
        RANDOM.nextBytes(junk);
        ByteBuf in = Unpooled.buffer();
        in.writeShort(65535);
        in.writeBytes(junk);
        ia.writeInbound(in);
        assertInstanceOf(NoiseException.class, a.failure.get());
        assertFalse(ia.isOpen());
        ia.finishAndReleaseAll();
    }

    /** Finishes a channel whose failure was already checked; EmbeddedChannel rethrows it. */
    private static void finishQuietly(EmbeddedChannel ch) {
        try {
            ch.finishAndReleaseAll();
        } catch (RuntimeException alreadyChecked) {
            ch.releaseInbound();
            ch.releaseOutbound();
        }
    }

    private EmbeddedChannel[] established(Side a, Side b) {
        TestIdentity alice = TestIdentity.random();
        TestIdentity bob = TestIdentity.random();
        EmbeddedChannel ia = channel(true, NoiseStaticKey.generate(alice, RANDOM), alice, Optional.empty(), a);
        EmbeddedChannel rb = channel(false, NoiseStaticKey.generate(bob, RANDOM), bob, Optional.empty(), b);
        Shuttle.run(ia, rb);
        assertNotNull(a.result.get());
        assertNotNull(b.result.get());
        return new EmbeddedChannel[] {ia, rb};
    }

    @Test
    void maximumSizeGarbageTransportMessageClosesTheConnection() {
        Side a = new Side();
        Side b = new Side();
        EmbeddedChannel[] ch = established(a, b);
        ByteBuf in = Unpooled.buffer();
        in.writeShort(65535);
        in.writeBytes(new byte[65535]);
        // More than 65535 bytes follow the prefix: the rest is read as the next frame, never as one big one.
        in.writeBytes(new byte[100]);
        try {
            ch[1].writeInbound(in);
        } catch (Exception expected) {
            // EmbeddedChannel rethrows the decoder's exception.
        }
        assertFalse(ch[1].isOpen());
        assertEquals(0, b.drain().length);
        finishQuietly(ch[0]);
        finishQuietly(ch[1]);
    }

    @Test
    void tamperedTransportMessageClosesTheConnection() {
        Side a = new Side();
        Side b = new Side();
        EmbeddedChannel[] ch = established(a, b);
        ch[0].writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4}));
        ByteBuf wire = ch[0].readOutbound();
        wire.setByte(4, wire.getByte(4) ^ 1);
        try {
            ch[1].writeInbound(wire);
        } catch (Exception expected) {
            // rethrown by EmbeddedChannel
        }
        assertFalse(ch[1].isOpen());
        assertEquals(0, b.drain().length);
        finishQuietly(ch[0]);
        finishQuietly(ch[1]);
    }

    @Test
    void nonceExhaustionClosesTheConnection() {
        Side a = new Side();
        Side b = new Side();
        EmbeddedChannel[] ch = established(a, b);
        a.result.get().send().nonce(-1L);
        ch[0].writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
        assertFalse(ch[0].isOpen());
        finishQuietly(ch[0]);
        finishQuietly(ch[1]);
    }
}
