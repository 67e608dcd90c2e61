package org.hyphae.host.internal.upgrade;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** A listening upgrader and a dialling one over plain Netty TCP on 127.0.0.1. */
public final class LoopbackPeers implements AutoCloseable {

    public final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    public final ConnectionUpgrader serverUpgrader;
    public final ConnectionUpgrader clientUpgrader;
    public final LinkedBlockingQueue<CompletableFuture<Connection>> accepted = new LinkedBlockingQueue<>();
    private final Channel server;

    public LoopbackPeers(Identity serverId, Identity clientId, UpgradeSettings settings, InboundStreams serverStreams)
            throws InterruptedException {
        serverUpgrader = new ConnectionUpgrader(serverId, settings);
        clientUpgrader = new ConnectionUpgrader(clientId, settings);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Nothing is read before the upgrader's handlers are in place; it turns reading on.
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(serverUpgrader.upgrade(org.hyphae.transport.netty.NettyRawConnection.tcp(ch, true), ch, "tcp",
                                Optional.empty(), serverStreams));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public CompletableFuture<Connection> dial(Optional<PeerId> expected, InboundStreams clientStreams) {
        return dial(clientUpgrader, port(), expected, clientStreams);
    }

    public CompletableFuture<Connection> dial(ConnectionUpgrader upgrader, int port, Optional<PeerId> expected,
            InboundStreams clientStreams) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                    }
                }).connect("127.0.0.1", port).addListener(f -> {
                    if (!f.isSuccess()) {
                        result.completeExceptionally(f.cause());
                        return;
                    }
                    Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
                    upgrader.upgrade(org.hyphae.transport.netty.NettyRawConnection.tcp(ch, false), ch, "tcp", expected, clientStreams)
                            .whenComplete((c, e) -> {
                                if (e != null) {
                                    result.completeExceptionally(e);
                                } else {
                                    result.complete(c);
                                }
                            });
                });
        return result;
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).sync();
        serverUpgrader.close();
        clientUpgrader.close();
    }
}
