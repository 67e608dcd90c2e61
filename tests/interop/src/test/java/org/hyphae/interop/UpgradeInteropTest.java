package org.hyphae.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.hyphae.host.internal.upgrade.ConnectionUpgrader;
import org.hyphae.host.internal.upgrade.InboundStreams;
import org.hyphae.host.internal.upgrade.UpgradeSettings;
import org.hyphae.host.internal.upgrade.UpgradedConnection;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.identity.internal.Ed25519KeyPair;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.ProtocolNotSupportedException;
import org.hyphae.transport.RawConnection;
import org.hyphae.transport.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The connection upgrade (multistream-select, Noise XX with the libp2p payload, yamux) against an
 * unmodified js-libp2p node ({@code js/libp2p-peer.mjs}), in both directions, over plain Netty TCP
 * sockets: no swarm, no transport bundle, only the codecs.
 */
class UpgradeInteropTest {

    private static final String PING = "/ipfs/ping/1.0.0";
    private static final String ECHO = "/hyphae-test/echo/1.0.0";

    private static EventLoopGroup group;
    private JsProcess js;
    private ConnectionUpgrader upgrader;
    private final Ed25519KeyPair keys = Ed25519KeyPair.generate();
    private final Identity identity = new Identity() {
        @Override
        public PeerId peerId() {
            return keys.peerId();
        }

        @Override
        public byte[] publicKeyProtobuf() {
            return keys.publicKeyProtobuf();
        }

        @Override
        public byte[] sign(byte[] data) {
            return keys.sign(data);
        }

        @Override
        public boolean verify(byte[] publicKeyProtobuf, byte[] data, byte[] signature) {
            return Ed25519KeyPair.verify(publicKeyProtobuf, data, signature);
        }
    };

    /** Serves ping and echo: both send back what they read. */
    private final InboundStreams echoing = new InboundStreams() {
        @Override
        public Set<String> protocols() {
            return Set.of(PING, ECHO);
        }

        @Override
        public void accept(Stream stream) {
            echo(stream);
        }
    };

    @BeforeAll
    static void startGroup() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() throws InterruptedException {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }

    @BeforeEach
    void start() {
        js = JsProcess.start("libp2p-peer.mjs");
        upgrader = new ConnectionUpgrader(identity, UpgradeSettings.DEFAULTS);
    }

    @AfterEach
    void stop() {
        js.close();
        upgrader.close();
    }

    private static void echo(Stream stream) {
        stream.read().whenComplete((data, error) -> {
            if (error != null) {
                stream.reset();
            } else if (data.isPresent()) {
                stream.write(data.get()).whenComplete((v, e) -> {
                    if (e == null) {
                        echo(stream);
                    }
                });
            } else {
                stream.closeWrite();
            }
        });
    }

    private static byte[] read(Stream stream, int atLeast) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (atLeast < 0 || out.size() < atLeast) {
            Optional<ByteBuffer> b = stream.read().toCompletableFuture().get(20, TimeUnit.SECONDS);
            if (b.isEmpty()) {
                break;
            }
            byte[] chunk = new byte[b.get().remaining()];
            b.get().get(chunk);
            out.write(chunk);
        }
        return out.toByteArray();
    }

    private static RawConnection raw(Channel channel, boolean inbound) {
        return org.hyphae.transport.netty.NettyRawConnection.tcp(channel, inbound);
    }

    private Connection dial(int port, PeerId expected) throws Exception {
        ChannelFuture connected = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                    }
                }).connect("127.0.0.1", port).sync();
        Channel ch = connected.channel();
        return upgrader.upgrade(raw(ch, false), ch, "tcp", Optional.of(expected), echoing).get(20, TimeUnit.SECONDS);
    }

    @Test
    void hyphaeDialsJsLibp2pPingsAndEchoes() throws Exception {
        JsonNode started = js.call("start");
        PeerId jsPeer = PeerId.parse(started.get("peerId").asText());
        String[] parts = started.get("addrs").get(0).asText().split("/");
        int port = Integer.parseInt(parts[4]);

        Connection connection = dial(port, jsPeer);
        assertEquals(jsPeer, connection.remotePeer());
        assertEquals(jsPeer, PeerId.fromPublicKeyProtobuf(((UpgradedConnection) connection).remotePublicKeyProtobuf()));

        Stream ping = connection.newStream(List.of(PING)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            byte[] payload = new byte[32];
            new Random(i).nextBytes(payload);
            ping.write(ByteBuffer.wrap(payload)).toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertArrayEquals(payload, read(ping, 32));
        }
        ping.closeWrite();

        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> connection.newStream(List.of("/hyphae-test/nope/1.0.0")).toCompletableFuture().get(20, TimeUnit.SECONDS));
        assertInstanceOf(ProtocolNotSupportedException.class, refused.getCause());

        // Bulk through js's echo handler: 8 MiB, several windows, byte for byte.
        byte[] data = new byte[8 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Stream echo = connection.newStream(List.of(ECHO)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
            try {
                return read(echo, -1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int off = 0; off < data.length; off += 100_000) {
            int n = Math.min(100_000, data.length - off);
            echo.write(ByteBuffer.wrap(data, off, n)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
        echo.closeWrite();
        assertArrayEquals(data, back.get(30, TimeUnit.SECONDS));

        connection.close();
        connection.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void jsLibp2pDialsHyphaePingsAndEchoes() throws Exception {
        JsonNode started = js.call("start");
        PeerId jsPeer = PeerId.parse(started.get("peerId").asText());
        LinkedBlockingQueue<CompletableFuture<Connection>> accepted = new LinkedBlockingQueue<>();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(upgrader.upgrade(raw(ch, true), ch, "tcp", Optional.empty(), echoing));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        try {
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            String addr = "/ip4/127.0.0.1/tcp/" + port + "/p2p/" + identity.peerId();
            JsonNode ping = js.call("ping", "addr", addr);
            assertTrue(ping.get("rtt").asDouble() >= 0);
            Connection connection = accepted.poll(20, TimeUnit.SECONDS).get(20, TimeUnit.SECONDS);
            assertEquals(jsPeer, connection.remotePeer());

            JsonNode echoed = js.call("echo", "addr", addr, "size", 4 * 1024 * 1024);
            assertEquals(4 * 1024 * 1024, echoed.get("bytes").asInt());
        } finally {
            server.close().sync();
        }
    }
}
