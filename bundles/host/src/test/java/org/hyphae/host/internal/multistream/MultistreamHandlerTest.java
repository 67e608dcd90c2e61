package org.hyphae.host.internal.multistream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

class MultistreamHandlerTest {

    /** Records the outcome and, on success, installs a handler that collects what follows. */
    static final class Outcome implements MultistreamHandler.Listener {
        final AtomicReference<String> selected = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<ByteBuf> after = new ArrayList<>();

        @Override
        public void selected(ChannelHandlerContext ctx, String protocol) {
            selected.set(protocol);
            ctx.pipeline().addAfter(ctx.name(), "next", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext c, Object msg) {
                    after.add((ByteBuf) msg);
                }
            });
        }

        @Override
        public void failed(Throwable cause) {
            failure.set(cause);
        }

        String afterText() {
            StringBuilder b = new StringBuilder();
            for (ByteBuf buf : after) {
                b.append(buf.toString(StandardCharsets.UTF_8));
                buf.release();
            }
            after.clear();
            return b.toString();
        }
    }

    private static ByteBuf messages(String... ms) {
        ByteBuf b = Unpooled.buffer();
        for (String m : ms) {
            MultistreamMessages.encodeInto(m, b);
        }
        return b;
    }

    /** Moves everything one channel wrote into the other, until both are quiet. */
    private static void shuttle(EmbeddedChannel a, EmbeddedChannel b) {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (EmbeddedChannel[] pair : new EmbeddedChannel[][] {{a, b}, {b, a}}) {
                ByteBuf out;
                while ((out = pair[0].readOutbound()) != null) {
                    moved = true;
                    if (pair[1].isActive()) {
                        pair[1].writeInbound(out);
                    } else {
                        out.release();
                    }
                }
            }
        }
    }

    @Test
    void initiatorAndResponderAgreeOnTheSecondProposalAndPassOnTheRest() {
        Outcome io = new Outcome();
        Outcome ro = new Outcome();
        EmbeddedChannel initiator = new EmbeddedChannel(new MultistreamHandler(
                Negotiation.initiator(List.of("/tls/1.0.0", "/noise")), "security protocol", io));
        EmbeddedChannel responder = new EmbeddedChannel(new MultistreamHandler(
                Negotiation.responder(Set.of("/noise")::contains), "security protocol", ro));
        shuttle(initiator, responder);
        assertEquals("/noise", io.selected.get());
        assertEquals("/noise", ro.selected.get());
        assertNull(initiator.pipeline().get(MultistreamHandler.class));
        assertNull(responder.pipeline().get(MultistreamHandler.class));
        // Later bytes reach the next handler untouched.
        initiator.writeInbound(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
        assertEquals("hello", io.afterText());
        assertFalse(initiator.finish());
        assertFalse(responder.finish());
    }

    @Test
    void initiatorPipelinesHeaderAndFirstProposal() {
        Outcome io = new Outcome();
        EmbeddedChannel initiator = new EmbeddedChannel(new MultistreamHandler(
                Negotiation.initiator(List.of("/yamux/1.0.0")), "muxer", io));
        ByteBuf first = initiator.readOutbound();
        ByteBuf expected = messages("/multistream/1.0.0", "/yamux/1.0.0");
        assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(first));
        expected.release();
        first.release();
        initiator.finishAndReleaseAll();
    }

    @Test
    void bytesInTheSamePacketAsTheLastAnswerGoToTheNextHandler() {
        Outcome ro = new Outcome();
        EmbeddedChannel responder = new EmbeddedChannel(new MultistreamHandler(
                Negotiation.responder(Set.of("/noise")::contains), "security protocol", ro));
        ByteBuf in = messages("/multistream/1.0.0", "/noise");
        in.writeCharSequence("noise-msg-1", StandardCharsets.UTF_8);
        responder.writeInbound(in);
        assertEquals("/noise", ro.selected.get());
        assertEquals("noise-msg-1", ro.afterText());
        ByteBuf out;
        StringBuilder sent = new StringBuilder();
        while ((out = responder.readOutbound()) != null) {
            sent.append(ByteBufUtil.hexDump(out));
            out.release();
        }
        ByteBuf expected = messages("/multistream/1.0.0", "/noise");
        assertEquals(ByteBufUtil.hexDump(expected), sent.toString());
        expected.release();
        responder.finishAndReleaseAll();
    }

    @Test
    void initiatorFailsWhenEveryProposalIsRefused() {
        Outcome io = new Outcome();
        EmbeddedChannel initiator = new EmbeddedChannel(new MultistreamHandler(
                Negotiation.initiator(List.of("/noise")), "security protocol", io));
        initiator.releaseOutbound();
        initiator.writeInbound(messages("/multistream/1.0.0", "na"));
        assertInstanceOf(MultistreamException.class, io.failure.get());
        assertTrue(io.failure.get().getMessage().contains("supports no proposed security protocol"));
        assertFalse(initiator.isOpen());
        initiator.finishAndReleaseAll();
    }

    @Test
    void responderAnswersNaUntilItKnowsAProposal() {
        Outcome ro = new Outcome();
        EmbeddedChannel responder = new EmbeddedChannel(new MultistreamHandler(
                Negotiation.responder(Set.of("/b")::contains), "muxer", ro));
        responder.releaseOutbound();
        responder.writeInbound(messages("/multistream/1.0.0", "/a", "ls"));
        ByteBuf out = responder.readOutbound();
        ByteBuf expected = messages("na");
        assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(out));
        out.release();
        expected.release();
        responder.releaseOutbound();
        responder.writeInbound(messages("/b"));
        assertEquals("/b", ro.selected.get());
        responder.finishAndReleaseAll();
    }

    private static Throwable feedGarbage(ByteBuf garbage) {
        Outcome ro = new Outcome();
        EmbeddedChannel responder = new EmbeddedChannel(new MultistreamHandler(
                Negotiation.responder(Set.of("/noise")::contains), "security protocol", ro));
        responder.writeInbound(garbage);
        assertFalse(responder.isOpen(), "channel closed");
        assertNull(ro.selected.get());
        responder.finishAndReleaseAll();
        return ro.failure.get();
    }

    @Test
    void garbageBeforeTheHeaderClosesTheConnection() {
        Throwable t = feedGarbage(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + "x".repeat(80),
                StandardCharsets.US_ASCII));
        assertInstanceOf(MultistreamException.class, t);
        assertTrue(t.getMessage().contains("newline"), t.getMessage());
    }

    @Test
    void wrongHeaderClosesTheConnection() {
        Throwable t = feedGarbage(messages("/multistream/2.0.0"));
        assertTrue(t.getMessage().contains("expected the header /multistream/1.0.0"), t.getMessage());
    }

    @Test
    void garbageInsideTheNegotiationClosesTheConnection() {
        ByteBuf in = messages("/multistream/1.0.0");
        in.writeBytes(new byte[] {5, 'a', 'b', 'c', 'd', 'e'});
        Throwable t = feedGarbage(in);
        assertTrue(t.getMessage().contains("does not end with a newline"), t.getMessage());
    }

    @Test
    void overLongLengthPrefixClosesTheConnection() {
        Throwable t = feedGarbage(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1}));
        assertTrue(t.getMessage().contains("length prefix"), t.getMessage());
        Throwable big = feedGarbage(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, 0x08}));
        assertTrue(big.getMessage().contains("exceeds the limit of 1024"), big.getMessage());
    }

    @Test
    void endlessProposalsCloseTheConnection() {
        ByteBuf in = messages("/multistream/1.0.0");
        for (int i = 0; i <= Negotiation.MAX_PROPOSALS; i++) {
            MultistreamMessages.encodeInto("/p/" + i, in);
        }
        Throwable t = feedGarbage(in);
        assertTrue(t.getMessage().contains("more than 64 proposals"), t.getMessage());
    }

    @Test
    void closeDuringNegotiationFails() {
        Outcome io = new Outcome();
        EmbeddedChannel initiator = new EmbeddedChannel(new MultistreamHandler(
                Negotiation.initiator(List.of("/noise")), "security protocol", io));
        initiator.releaseOutbound();
        initiator.close();
        assertInstanceOf(ClosedChannelException.class, io.failure.get());
        initiator.finishAndReleaseAll();
    }

    @Test
    void partialMessagesWaitForTheRest() throws Exception {
        ByteBuf in = messages("/multistream/1.0.0");
        ByteBuf part = in.retainedSlice(0, 5);
        assertNull(MultistreamMessages.read(part));
        assertEquals(0, part.readerIndex());
        part.release();
        assertEquals("/multistream/1.0.0", MultistreamMessages.read(in));
        in.release();
        ByteBuf bad = Unpooled.wrappedBuffer(new byte[] {0});
        assertThrows(MultistreamException.class, () -> MultistreamMessages.read(bad));
        bad.release();
    }
}
