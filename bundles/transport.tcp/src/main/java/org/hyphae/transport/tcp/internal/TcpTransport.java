package org.hyphae.transport.tcp.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.MultiaddrProtocol;
import org.hyphae.transport.RawConnection;
import org.hyphae.transport.Transport;
import org.hyphae.transport.netty.NettyEventLoops;
import org.hyphae.transport.netty.NettyListeners;
import org.hyphae.transport.netty.NettyRawConnection;
import org.hyphae.transport.netty.SocketAddresses;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * Raw TCP connections for libp2p: {@code /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>}. Stopping the
 * component closes every connection and listener it made.
 */
@Component(service = Transport.class, property = Transport.PROTOCOL_PROPERTY + "=tcp",
        configurationPid = TcpTransport.PID)
@Designate(ocd = TcpTransport.Config.class)
public final class TcpTransport implements Transport {

    static final String PID = "org.hyphae.transport.tcp";
    private static final System.Logger LOG = System.getLogger(TcpTransport.class.getName());

    @ObjectClassDefinition(name = "Hyphae TCP transport")
    public @interface Config {
        @AttributeDefinition(name = "I/O threads", description = "0 means two per core.")
        int io_threads() default 0;

        @AttributeDefinition(name = "Native epoll", description = "Use epoll where the platform has it.")
        boolean native_epoll() default true;

        @AttributeDefinition(name = "Connect timeout (ms)")
        int connect_timeout_millis() default 10_000;
    }

    private final NettyEventLoops loops;
    private final int connectTimeoutMillis;
    private final ChannelGroup channels = new DefaultChannelGroup("tcp", GlobalEventExecutor.INSTANCE);
    private final NettyListeners listeners = new NettyListeners(UnaryOperator.identity());

    @Activate
    public TcpTransport(Config config) {
        this.loops = NettyEventLoops.create("hyphae-tcp", config.io_threads(), config.native_epoll());
        this.connectTimeoutMillis = config.connect_timeout_millis();
        if (config.native_epoll() && !loops.kind().equals("epoll")) {
            LOG.log(Level.INFO, "TCP transport on NIO: epoll unavailable ({0})", NettyEventLoops.epollUnavailabilityCause());
        }
    }

    /** {@code epoll} or {@code nio}. */
    String ioKind() {
        return loops.kind();
    }

    @Override
    public boolean canDial(Multiaddr address) {
        return SocketAddresses.tcp(address).isPresent() && onlyPeerIdAfterTcp(address);
    }

    @Override
    public boolean canListen(Multiaddr address) {
        List<Multiaddr.Component> parts = address.components();
        return parts.size() == 2 && parts.get(1).protocol() == MultiaddrProtocol.TCP
                && (parts.get(0).protocol() == MultiaddrProtocol.IP4 || parts.get(0).protocol() == MultiaddrProtocol.IP6);
    }

    /** {@code /tcp/1/ws} is the WebSocket transport's; only {@code /p2p} may follow plain TCP. */
    private static boolean onlyPeerIdAfterTcp(Multiaddr address) {
        List<Multiaddr.Component> parts = address.components();
        return parts.size() == 2 || (parts.size() == 3 && parts.get(2).protocol() == MultiaddrProtocol.P2P);
    }

    @Override
    public CompletionStage<RawConnection> dial(Multiaddr address) {
        Optional<InetSocketAddress> target = SocketAddresses.tcp(address);
        if (target.isEmpty() || !canDial(address)) {
            return CompletableFuture.failedFuture(new IOException("TCP transport cannot dial " + address));
        }
        CompletableFuture<RawConnection> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(loops.group()).channel(loops.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                    }
                });
        bootstrap.connect(target.get()).addListener((ChannelFuture connected) -> {
            if (connected.isSuccess()) {
                Channel ch = connected.channel();
                result.complete(NettyRawConnection.tcp(ch, false));
            } else {
                Throwable cause = connected.cause();
                result.completeExceptionally(new IOException("cannot dial " + address + ": " + cause.getMessage(), cause));
            }
        });
        return result;
    }

    @Override
    public Listener listen(Multiaddr address, Consumer<RawConnection> inbound) throws IOException {
        if (!canListen(address)) {
            throw new IOException("TCP transport cannot listen on " + address);
        }
        InetSocketAddress bind = SocketAddresses.tcp(address).orElseThrow();
        ServerBootstrap server = new ServerBootstrap().group(loops.group()).channel(loops.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        inbound.accept(NettyRawConnection.tcp(ch, true));
                    }
                });
        ChannelFuture bound = server.bind(bind).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IOException("cannot listen on " + address + ": " + bound.cause().getMessage(), bound.cause());
        }
        Listener listener = listeners.add(bound.channel());
        LOG.log(Level.DEBUG, "TCP listening on {0} ({1})", listener.address(), loops.kind());
        return listener;
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        return listeners.addresses();
    }

    @Deactivate
    void deactivate() {
        listeners.closeAll();
        channels.close().awaitUninterruptibly();
        loops.close();
    }
}
