package org.hyphae.transport.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.RawConnection;
import org.hyphae.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

class TcpTransportTest {

    private final TcpTransport server = new TcpTransport(config(true));
    private final TcpTransport client = new TcpTransport(config(false));

    @AfterEach
    void stop() {
        server.deactivate();
        client.deactivate();
    }

    @Test
    void dialsAndListensOnLoopbackAndBytesFlowOnceTheHostReads() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        Transport.Listener listener = server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"), raw -> {
            Channel ch = raw.unwrap(Channel.class).orElseThrow();
            assertTrue(raw.isInbound());
            assertFalse(ch.config().isAutoRead(), "nothing is read before the host installs its handlers");
            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                    received.complete(msg.toString(StandardCharsets.UTF_8));
                }
            });
            ch.config().setAutoRead(true);
        });
        assertTrue(listener.address().toString().startsWith("/ip4/127.0.0.1/tcp/"), listener.address().toString());
        assertTrue(server.listenAddresses().contains(listener.address()));

        RawConnection raw = client.dial(listener.address()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertFalse(raw.isInbound());
        assertEquals(listener.address(), raw.remoteAddress());
        raw.unwrap(Channel.class).orElseThrow().writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
        assertEquals("hello", received.get(10, TimeUnit.SECONDS));

        raw.close();
        raw.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void usesNativeEpollOnLinux() {
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            assertEquals("epoll", server.ioKind());
        }
        assertEquals("nio", client.ioKind());
    }

    @Test
    void addressesItServes() {
        assertTrue(client.canDial(Multiaddr.parse("/ip4/1.2.3.4/tcp/4001")));
        assertTrue(client.canDial(Multiaddr.parse("/ip6/::1/tcp/4001")));
        assertTrue(client.canDial(Multiaddr.parse("/dns4/example.org/tcp/4001")));
        assertTrue(client.canDial(Multiaddr.parse(
                "/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")));
        assertFalse(client.canDial(Multiaddr.parse("/ip4/1.2.3.4/tcp/4001/ws")), "that is the WebSocket transport's");
        assertFalse(client.canDial(Multiaddr.parse("/ip4/1.2.3.4/udp/4001/quic-v1")));
        assertTrue(client.canListen(Multiaddr.parse("/ip4/0.0.0.0/tcp/0")));
        assertFalse(client.canListen(Multiaddr.parse("/dns4/example.org/tcp/0")));
    }

    @Test
    void refusedDialSaysWhere() throws Exception {
        Transport.Listener listener = server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"), RawConnection::close);
        Multiaddr address = listener.address();
        listener.close();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.dial(address).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IOException);
        assertTrue(e.getCause().getMessage().contains(address.toString()), e.getCause().getMessage());
    }

    @Test
    void stoppingClosesConnectionsAndListeners() throws Exception {
        Transport.Listener listener = server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"), raw -> { });
        RawConnection raw = client.dial(listener.address()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        client.deactivate();
        raw.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        server.deactivate();
        assertTrue(server.listenAddresses().isEmpty());
    }

    static TcpTransport.Config config(boolean epoll) {
        return new TcpTransport.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return TcpTransport.Config.class;
            }

            @Override
            public int io_threads() {
                return 1;
            }

            @Override
            public boolean native_epoll() {
                return epoll;
            }

            @Override
            public int connect_timeout_millis() {
                return 5000;
            }
        };
    }
}
