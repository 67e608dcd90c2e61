package org.hyphae.interop.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.hyphae.host.internal.upgrade.ConnectionUpgrader;
import org.hyphae.host.internal.upgrade.InboundStreams;
import org.hyphae.host.internal.upgrade.UpgradeSettings;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;
import org.hyphae.transport.netty.NettyEventLoops;
import org.hyphae.transport.netty.NettyRawConnection;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;

/**
 * A {@link Host} for running many nodes in one JVM: real TCP on 127.0.0.1 upgraded by the host
 * bundle's own {@link ConnectionUpgrader} (multistream-select, Noise XX, yamux), with the event
 * loops and callback threads shared by every host of the JVM (one SwarmHost per node would bring
 * its own threads and an OSGi context). What it leaves out of the swarm: identify (so
 * {@link #peerInfo} is empty and the router opens its stream to every peer), connection limits
 * and the idle trimmer, none of which a benchmark on a fixed topology exercises.
 */
final class LoopbackHost implements Host, InboundStreams, AutoCloseable {

    private final Identity identity;
    private final NettyEventLoops loops;
    private final ConnectionUpgrader upgrader;
    private final Set<String> protocols;
    private final Consumer<Stream> handler;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Channel server;
    private final Multiaddr listen;

    /**
     * Listens on 127.0.0.1 at a free port.
     *
     * @param protocols what inbound streams may negotiate; each goes to {@code handler}
     */
    LoopbackHost(Identity identity, NettyEventLoops loops, Executor callbacks, Set<String> protocols,
            Consumer<Stream> handler) throws InterruptedException {
        this.identity = identity;
        this.loops = loops;
        // A generous handshake timeout: hundreds of handshakes at once on a loaded 2-core machine.
        this.upgrader = new ConnectionUpgrader(identity, new UpgradeSettings(java.time.Duration.ofSeconds(90),
                UpgradeSettings.DEFAULTS.streamNegotiationTimeout(), UpgradeSettings.DEFAULTS.yamux()), callbacks);
        this.protocols = Set.copyOf(protocols);
        this.handler = handler;
        this.server = new ServerBootstrap().group(loops.group()).channel(loops.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                // The upgrader turns reading on once its handlers are in place.
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        upgrader.upgrade(NettyRawConnection.tcp(ch, true), ch, "tcp", Optional.empty(), LoopbackHost.this)
                                .thenAccept(LoopbackHost.this::register);
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        this.listen = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port);
    }

    private void register(Connection c) {
        connections.add(c);
        c.closed().whenComplete((v, e) -> connections.remove(c));
    }

    @Override
    public PeerId localPeer() {
        return identity.peerId();
    }

    @Override
    public List<Multiaddr> listenAddresses() {
        return List.of(listen);
    }

    @Override
    public CompletionStage<Connection> connect(Multiaddr address) {
        Optional<PeerId> expected = address.peerId();
        if (expected.isPresent() && !connections(expected.get()).isEmpty()) {
            return CompletableFuture.completedFuture(connections(expected.get()).get(0));
        }
        String[] parts = address.withoutPeerId().toString().split("/");
        CompletableFuture<Connection> result = new CompletableFuture<>();
        new Bootstrap().group(loops.group()).channel(loops.socketChannel()).option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false).handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                    }
                }).connect(parts[2], Integer.parseInt(parts[4])).addListener(f -> {
                    if (!f.isSuccess()) {
                        result.completeExceptionally(new IOException("cannot dial " + address, f.cause()));
                        return;
                    }
                    Channel ch = ((ChannelFuture) f).channel();
                    upgrader.upgrade(NettyRawConnection.tcp(ch, false), ch, "tcp", expected, this).whenComplete((c, e) -> {
                        if (e != null) {
                            result.completeExceptionally(e);
                        } else {
                            register(c);
                            result.complete(c);
                        }
                    });
                });
        return result;
    }

    @Override
    public CompletionStage<Stream> newStream(PeerId peer, List<String> wanted) {
        List<Connection> open = connections(peer);
        if (open.isEmpty()) {
            return CompletableFuture.failedFuture(new IOException("not connected to " + peer));
        }
        return open.get(0).newStream(wanted);
    }

    @Override
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    @Override
    public List<Connection> connections(PeerId peer) {
        return connections.stream().filter(c -> c.remotePeer().equals(peer)).toList();
    }

    @Override
    public Set<String> protocols() {
        return protocols;
    }

    @Override
    public Optional<PeerInfo> peerInfo(PeerId peer) {
        return Optional.empty();
    }

    @Override
    public void accept(Stream stream) {
        if (protocols.contains(stream.protocol())) {
            handler.accept(stream);
        } else {
            stream.reset();
        }
    }

    @Override
    public void close() {
        server.close();
        connections.forEach(Connection::close);
    }
}
