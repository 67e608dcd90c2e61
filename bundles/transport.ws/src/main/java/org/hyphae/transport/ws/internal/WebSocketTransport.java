package org.hyphae.transport.ws.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

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
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * Raw connections over WebSocket: {@code /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>/ws}, binary
 * frames carrying the libp2p byte stream, as js-libp2p's websockets transport does. Plain
 * {@code ws} only; {@code wss} needs TLS certificates, which this transport does not manage.
 */
@Component(service = Transport.class, property = Transport.PROTOCOL_PROPERTY + "=ws",
        configurationPid = WebSocketTransport.PID)
@Designate(ocd = WebSocketTransport.Config.class)
public final class WebSocketTransport implements Transport {

    static final String PID = "org.hyphae.transport.ws";
    private static final System.Logger LOG = System.getLogger(WebSocketTransport.class.getName());

    @ObjectClassDefinition(name = "Hyphae WebSocket transport")
    public @interface Config {
        @AttributeDefinition(name = "I/O threads", description = "0 means two per core.")
        int io_threads() default 0;

        @AttributeDefinition(name = "Native epoll", description = "Use epoll where the platform has it.")
        boolean native_epoll() default true;

        @AttributeDefinition(name = "Connect and handshake timeout (ms)")
        int connect_timeout_millis() default 10_000;

        @AttributeDefinition(name = "Largest WebSocket frame accepted (bytes)")
        int max_frame_bytes() default 1 << 20;
    }

    private final NettyEventLoops loops;
    private final Config config;
    private final ChannelGroup channels = new DefaultChannelGroup("ws", GlobalEventExecutor.INSTANCE);
    private final NettyListeners listeners = new NettyListeners(WebSocketTransport::wsAddress);

    @Activate
    public WebSocketTransport(Config config) {
        this.config = config;
        this.loops = NettyEventLoops.create("hyphae-ws", config.io_threads(), config.native_epoll());
        loadCodecClasses();
    }

    /**
     * Loads the HTTP and WebSocket codec classes now, while little is compiled. Loaded at the
     * node's first WebSocket connection instead, their new ChannelDuplexHandler subclasses void
     * the JIT's code for Netty's pipeline methods (write, flush, fireChannelReadComplete), which
     * it had specialised for the handlers loaded so far, and the TCP connections run slower
     * until that is compiled again. Seen in a Bitswap benchmark: the fetcher's DHT query dialled
     * a WebSocket address after a 3 GiB fetch over TCP.
     */
    private static void loadCodecClasses() {
        new HttpClientCodec();
        new HttpServerCodec();
        new HttpObjectAggregator(8192);
        new WebSocket13FrameEncoder(true);
        new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder().build());
    }

    String ioKind() {
        return loops.kind();
    }

    @Override
    public boolean canDial(Multiaddr address) {
        List<Multiaddr.Component> parts = address.components();
        return SocketAddresses.tcp(address).isPresent() && parts.size() >= 3
                && parts.get(2).protocol() == MultiaddrProtocol.WS
                && (parts.size() == 3 || (parts.size() == 4 && parts.get(3).protocol() == MultiaddrProtocol.P2P));
    }

    @Override
    public boolean canListen(Multiaddr address) {
        List<Multiaddr.Component> parts = address.components();
        return parts.size() == 3 && parts.get(1).protocol() == MultiaddrProtocol.TCP
                && parts.get(2).protocol() == MultiaddrProtocol.WS
                && (parts.get(0).protocol() == MultiaddrProtocol.IP4 || parts.get(0).protocol() == MultiaddrProtocol.IP6);
    }

    @Override
    public CompletionStage<RawConnection> dial(Multiaddr address) {
        Optional<InetSocketAddress> target = SocketAddresses.tcp(address);
        if (target.isEmpty() || !canDial(address)) {
            return CompletableFuture.failedFuture(new IOException("WebSocket transport cannot dial " + address));
        }
        InetSocketAddress socket = target.get();
        String host = socket.getHostString().contains(":") ? "[" + socket.getHostString() + "]" : socket.getHostString();
        URI uri = URI.create("ws://" + host + ":" + socket.getPort() + "/");
        CompletableFuture<RawConnection> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(loops.group()).channel(loops.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connect_timeout_millis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new HttpClientCodec(), new HttpObjectAggregator(8192));
                        p.addLast(new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(),
                                config.max_frame_bytes()), true, true, config.connect_timeout_millis()));
                        p.addLast(new BinaryFrameAdapter());
                        p.addLast(new HandshakeHandover(result, ch2 -> new NettyRawConnection(ch2,
                                local(ch2), address.withoutPeerId(), false), address));
                    }
                });
        bootstrap.connect(socket).addListener((ChannelFuture connected) -> {
            if (!connected.isSuccess()) {
                Throwable cause = connected.cause();
                result.completeExceptionally(new IOException("cannot dial " + address + ": " + cause.getMessage(), cause));
            }
        });
        return result;
    }

    @Override
    public Listener listen(Multiaddr address, Consumer<RawConnection> inbound) throws IOException {
        if (!canListen(address)) {
            throw new IOException("WebSocket transport cannot listen on " + address);
        }
        InetSocketAddress bind = SocketAddresses.tcp(address).orElseThrow();
        WebSocketServerProtocolConfig protocol = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/").checkStartsWith(true).maxFramePayloadLength(config.max_frame_bytes())
                .handshakeTimeoutMillis(config.connect_timeout_millis()).build();
        ServerBootstrap server = new ServerBootstrap().group(loops.group()).channel(loops.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new HttpServerCodec(), new HttpObjectAggregator(8192));
                        p.addLast(new WebSocketServerProtocolHandler(protocol));
                        p.addLast(new BinaryFrameAdapter());
                        CompletableFuture<RawConnection> accepted = new CompletableFuture<>();
                        p.addLast(new HandshakeHandover(accepted, ch2 -> {
                            RawConnection raw = new NettyRawConnection(ch2, wsAddress(local(ch2)),
                                    wsAddress(SocketAddresses.toMultiaddr((InetSocketAddress) ch2.remoteAddress())), true);
                            inbound.accept(raw);
                            return raw;
                        }, address));
                    }
                });
        ChannelFuture bound = server.bind(bind).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IOException("cannot listen on " + address + ": " + bound.cause().getMessage(), bound.cause());
        }
        Listener listener = listeners.add(bound.channel());
        LOG.log(Level.DEBUG, "WebSocket listening on {0} ({1})", listener.address(), loops.kind());
        return listener;
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        return listeners.addresses();
    }

    private static Multiaddr local(Channel ch) {
        return SocketAddresses.toMultiaddr((InetSocketAddress) ch.localAddress());
    }

    private static Multiaddr wsAddress(Multiaddr tcp) {
        return tcp.encapsulate("/ws");
    }

    @Deactivate
    void deactivate() {
        listeners.closeAll();
        channels.close().awaitUninterruptibly();
        loops.close();
    }

    /**
     * Waits for the WebSocket handshake, then stops reading and hands the channel over as a raw
     * connection: the host turns reading on once its handlers are in place.
     */
    private static final class HandshakeHandover extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<RawConnection> result;
        private final java.util.function.Function<Channel, RawConnection> handover;
        private final Multiaddr address;

        HandshakeHandover(CompletableFuture<RawConnection> result,
                java.util.function.Function<Channel, RawConnection> handover, Multiaddr address) {
            this.result = result;
            this.handover = handover;
            this.address = address;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE
                    || event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                ctx.channel().config().setAutoRead(false);
                ctx.pipeline().remove(this);
                result.complete(handover.apply(ctx.channel()));
            } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT
                    || event == WebSocketServerProtocolHandler.ServerHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                fail(ctx, new IOException("WebSocket handshake with " + address + " timed out"));
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, new IOException("WebSocket handshake with " + address + " failed: " + cause.getMessage(), cause));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            fail(ctx, new IOException("WebSocket connection to " + address + " closed during the handshake"));
            super.channelInactive(ctx);
        }

        private void fail(ChannelHandlerContext ctx, IOException error) {
            if (result.completeExceptionally(error)) {
                LOG.log(Level.DEBUG, error.getMessage());
            }
            ctx.close();
        }
    }
}
