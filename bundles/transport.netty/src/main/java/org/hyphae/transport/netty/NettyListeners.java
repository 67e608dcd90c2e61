package org.hyphae.transport.netty;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.Transport;

import io.netty.channel.Channel;

/**
 * The bound server channels of one transport, and the addresses they can be reached on.
 */
public final class NettyListeners {

    private final List<BoundListener> listeners = new CopyOnWriteArrayList<>();
    private final UnaryOperator<Multiaddr> decorate;

    /**
     * @param decorate turns a {@code /ip4/../tcp/..} address into the transport's own, e.g. adds
     *     {@code /ws}
     */
    public NettyListeners(UnaryOperator<Multiaddr> decorate) {
        this.decorate = decorate;
    }

    /** Tracks a bound server channel until it closes. */
    public Transport.Listener add(Channel server) {
        BoundListener listener = new BoundListener(server);
        listeners.add(listener);
        server.closeFuture().addListener(f -> listeners.remove(listener));
        return listener;
    }

    /** Where the listeners can be reached now (wildcards expanded to interface addresses). */
    public List<Multiaddr> addresses() {
        return listeners.stream()
                .flatMap(l -> SocketAddresses.reachable(l.bound()).stream())
                .map(s -> decorate.apply(SocketAddresses.toMultiaddr(s)))
                .distinct()
                .toList();
    }

    /** Closes every listener. */
    public void closeAll() {
        listeners.forEach(BoundListener::close);
    }

    private final class BoundListener implements Transport.Listener {
        private final Channel server;

        BoundListener(Channel server) {
            this.server = server;
        }

        InetSocketAddress bound() {
            return (InetSocketAddress) server.localAddress();
        }

        @Override
        public Multiaddr address() {
            return decorate.apply(SocketAddresses.toMultiaddr(bound()));
        }

        @Override
        public void close() {
            server.close().awaitUninterruptibly();
        }
    }
}
