package org.hyphae.transport.netty;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.RawConnection;

import io.netty.channel.Channel;

/**
 * A {@link RawConnection} over a Netty channel. The channel is handed over with auto-read off, so
 * no byte arrives before the host has installed its handlers; the host turns reading on.
 */
public final class NettyRawConnection implements RawConnection {

    private final Channel channel;
    private final Multiaddr localAddress;
    private final Multiaddr remoteAddress;
    private final boolean inbound;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    public NettyRawConnection(Channel channel, Multiaddr localAddress, Multiaddr remoteAddress, boolean inbound) {
        this.channel = channel;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.inbound = inbound;
        channel.closeFuture().addListener(f -> closed.complete(null));
    }

    /** A raw TCP connection over a connected channel, its addresses read from the socket. */
    public static NettyRawConnection tcp(Channel channel, boolean inbound) {
        return new NettyRawConnection(channel,
                SocketAddresses.toMultiaddr((java.net.InetSocketAddress) channel.localAddress()),
                SocketAddresses.toMultiaddr((java.net.InetSocketAddress) channel.remoteAddress()), inbound);
    }

    @Override
    public Multiaddr localAddress() {
        return localAddress;
    }

    @Override
    public Multiaddr remoteAddress() {
        return remoteAddress;
    }

    @Override
    public boolean isInbound() {
        return inbound;
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        return type.isInstance(channel) ? Optional.of(type.cast(channel)) : Optional.empty();
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public CompletionStage<Void> closed() {
        return closed.copy();
    }

    @Override
    public String toString() {
        return (inbound ? "inbound " : "outbound ") + remoteAddress;
    }
}
