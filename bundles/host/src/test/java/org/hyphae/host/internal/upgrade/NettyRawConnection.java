package org.hyphae.host.internal.upgrade;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.RawConnection;

import io.netty.channel.Channel;

/** A {@link RawConnection} over a plain Netty TCP channel, standing in for the transport bundle. */
public final class NettyRawConnection implements RawConnection {
    private final Channel channel;
    private final boolean inbound;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    public NettyRawConnection(Channel channel, boolean inbound) {
        this.channel = channel;
        this.inbound = inbound;
        channel.closeFuture().addListener(f -> closed.complete(null));
    }

    private static Multiaddr address(Object socketAddress) {
        InetSocketAddress a = (InetSocketAddress) socketAddress;
        return Multiaddr.parse("/ip4/" + a.getAddress().getHostAddress() + "/tcp/" + a.getPort());
    }

    @Override
    public Multiaddr localAddress() {
        return address(channel.localAddress());
    }

    @Override
    public Multiaddr remoteAddress() {
        return address(channel.remoteAddress());
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
        return closed;
    }
}
