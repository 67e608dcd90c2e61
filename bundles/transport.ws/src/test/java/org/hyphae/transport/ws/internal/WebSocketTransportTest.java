package org.hyphae.transport.ws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class WebSocketTransportTest {

    private final WebSocketTransport server = new WebSocketTransport(config());
    private final WebSocketTransport client = new WebSocketTransport(config());

    @AfterEach
    void stop() {
        server.deactivate();
        client.deactivate();
    }

    @Test
    void bytesCrossAsBinaryFramesBothWays() throws Exception {
        CompletableFuture<String> atServer = new CompletableFuture<>();
        Transport.Listener listener = server.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0/ws"), raw -> {
            assertTrue(raw.isInbound());
            assertTrue(raw.localAddress().toString().endsWith("/ws"), raw.localAddress().toString());
            Channel ch = raw.unwrap(Channel.class).orElseThrow();
            assertFalse(ch.config().isAutoRead(), "nothing is read before the host installs its handlers");
            ch.pipeline().addLast(echoAndRecord(atServer));
            ch.config().setAutoRead(true);
        });
        assertTrue(listener.address().toString().matches("/ip4/127\\.0\\.0\\.1/tcp/\\d+/ws"), listener.address().toString());
        assertEquals(java.util.List.of(listener.address()), server.listenAddresses().stream()
                .filter(a -> a.toString().startsWith("/ip4/127.")).toList());

        RawConnection raw = client.dial(listener.address()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        CompletableFuture<String> atClient = new CompletableFuture<>();
        Channel ch = raw.unwrap(Channel.class).orElseThrow();
        ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                atClient.complete(msg.toString(StandardCharsets.UTF_8));
            }
        });
        ch.config().setAutoRead(true);
        ch.writeAndFlush(Unpooled.copiedBuffer("/multistream/1.0.0\n", StandardCharsets.UTF_8));
        assertEquals("/multistream/1.0.0\n", atServer.get(10, TimeUnit.SECONDS));
        assertEquals("echo:/multistream/1.0.0\n", atClient.get(10, TimeUnit.SECONDS));
        raw.close();
    }

    @Test
    void addressesItServes() {
        assertTrue(client.canDial(Multiaddr.parse("/ip4/1.2.3.4/tcp/4002/ws")));
        assertTrue(client.canDial(Multiaddr.parse("/dns4/example.org/tcp/443/ws")));
        assertTrue(client.canDial(Multiaddr.parse(
                "/ip4/1.2.3.4/tcp/4002/ws/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")));
        assertFalse(client.canDial(Multiaddr.parse("/ip4/1.2.3.4/tcp/4002")), "that is the TCP transport's");
        assertFalse(client.canDial(Multiaddr.parse("/ip4/1.2.3.4/tcp/443/wss")), "no TLS here");
        assertTrue(client.canListen(Multiaddr.parse("/ip4/0.0.0.0/tcp/0/ws")));
        assertFalse(client.canListen(Multiaddr.parse("/ip4/0.0.0.0/tcp/0")));
    }

    @Test
    void dialToAPlainTcpServerFailsTheHandshakeWithTheAddress() throws Exception {
        try (java.net.ServerSocket notWebSocket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (java.net.Socket s = notWebSocket.accept()) {
                    s.getOutputStream().write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes());
                    s.getOutputStream().flush();
                    Thread.sleep(500);
                } catch (Exception ignored) {
                    // the test only needs the bad answer sent
                }
            });
            answer.start();
            Multiaddr address = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + notWebSocket.getLocalPort() + "/ws");
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.dial(address).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains(address.toString()), e.getCause().getMessage());
            answer.join();
        }
    }

    private static SimpleChannelInboundHandler<ByteBuf> echoAndRecord(CompletableFuture<String> received) {
        return new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                String text = msg.toString(StandardCharsets.UTF_8);
                received.complete(text);
                ctx.writeAndFlush(Unpooled.copiedBuffer("echo:" + text, StandardCharsets.UTF_8));
            }
        };
    }

    static WebSocketTransport.Config config() {
        return new WebSocketTransport.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return WebSocketTransport.Config.class;
            }

            @Override
            public int io_threads() {
                return 1;
            }

            @Override
            public boolean native_epoll() {
                return true;
            }

            @Override
            public int connect_timeout_millis() {
                return 5000;
            }

            @Override
            public int max_frame_bytes() {
                return 1 << 20;
            }
        };
    }
}
