package org.hyphae.host.internal.upgrade;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.hyphae.host.internal.multistream.MultistreamHandler;
import org.hyphae.host.internal.multistream.Negotiation;
import org.hyphae.host.internal.multistream.StreamNegotiation;
import org.hyphae.host.internal.noise.NoiseHandshakeHandler;
import org.hyphae.host.internal.noise.NoiseStaticKey;
import org.hyphae.host.internal.noise.NoiseTransportCodec;
import org.hyphae.host.internal.yamux.YamuxSession;
import org.hyphae.host.internal.yamux.YamuxStream;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.RawConnection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;

/**
 * Upgrades a raw connection as libp2p does over TCP and WebSocket: multistream-select
 * {@code /noise}, the Noise XX handshake (authenticating the peer, and checking it against the
 * dialled {@code /p2p/} id), multistream-select {@code /yamux/1.0.0} inside the encrypted channel,
 * then yamux. Each step is a handler in the channel's pipeline that hands over to the next.
 *
 * <p>Stream callbacks (reads, writes, inbound streams) run on an executor, never on the event
 * loop: one the caller passes, or a cached pool of daemon threads that {@link #close()} stops.
 */
public final class ConnectionUpgrader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ConnectionUpgrader.class.getName());
    public static final String NOISE = "/noise";
    public static final String YAMUX = "/yamux/1.0.0";

    private final Identity identity;
    private final UpgradeSettings settings;
    private final Executor callbacks;
    private final ExecutorService ownedExecutor;
    private final SecureRandom random = new SecureRandom();
    private final NoiseStaticKey staticKey;

    /** An upgrader with its own callback threads (stopped by {@link #close()}). */
    public ConnectionUpgrader(Identity identity, UpgradeSettings settings) {
        this(identity, settings, null);
    }

    /**
     * @param callbacks where stream futures complete and inbound streams are delivered; null for
     *     an own cached pool of daemon threads
     */
    public ConnectionUpgrader(Identity identity, UpgradeSettings settings, Executor callbacks) {
        this.identity = identity;
        this.settings = settings;
        if (callbacks == null) {
            AtomicInteger n = new AtomicInteger();
            ThreadFactory threads = r -> {
                Thread t = new Thread(r, "hyphae-stream-callbacks-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.ownedExecutor = Executors.newCachedThreadPool(threads);
            this.callbacks = ownedExecutor;
        } else {
            this.ownedExecutor = null;
            this.callbacks = callbacks;
        }
        this.staticKey = NoiseStaticKey.generate(identity, random);
    }

    /**
     * Upgrades {@code raw}, whose Netty channel is {@code channel}.
     *
     * <p>No byte may reach the channel's pipeline before the upgrade's handlers are in it, or it
     * is lost (a responder sends its multistream header at once). So either call this on the
     * channel's event loop before it first reads (in {@code initChannel} or {@code channelActive}),
     * or create the channel with {@code AUTO_READ} off: the upgrader switches auto-read on once
     * its handlers are in place.
     *
     * @param transportName what {@link Connection#transport()} reports, e.g. {@code tcp}
     * @param expectedRemote the peer id the dialler expects (from {@code /p2p/}); the connection
     *     fails with a {@link org.hyphae.host.internal.noise.PeerIdMismatchException} naming both
     *     ids if the peer proves another
     * @param inbound where negotiated inbound streams go
     * @return completes with the connection (an {@link UpgradedConnection}), or fails with the
     *     reason; on failure the channel is closed
     */
    public CompletableFuture<Connection> upgrade(RawConnection raw, Channel channel, String transportName,
            Optional<PeerId> expectedRemote, InboundStreams inbound) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        Upgrade upgrade = new Upgrade(raw, channel, transportName, expectedRemote, inbound, result);
        if (channel.eventLoop().inEventLoop()) {
            upgrade.start();
        } else {
            channel.eventLoop().execute(upgrade::start);
        }
        return result;
    }

    /** Stops the own callback threads, if any. */
    @Override
    public void close() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }

    private final class Upgrade {
        private final RawConnection raw;
        private final Channel channel;
        private final String transportName;
        private final Optional<PeerId> expectedRemote;
        private final InboundStreams inbound;
        private final CompletableFuture<Connection> result;
        private final boolean initiator;
        private ScheduledFuture<?> timeout;
        private NoiseHandshakeHandler.Result noise;
        private boolean finished;

        Upgrade(RawConnection raw, Channel channel, String transportName, Optional<PeerId> expectedRemote,
                InboundStreams inbound, CompletableFuture<Connection> result) {
            this.raw = raw;
            this.channel = channel;
            this.transportName = transportName;
            this.expectedRemote = expectedRemote;
            this.inbound = inbound;
            this.result = result;
            this.initiator = !raw.isInbound();
        }

        void start() {
            if (!channel.isActive()) {
                fail(new IOException("connection to " + raw.remoteAddress() + " closed before the upgrade"));
                return;
            }
            // Room for a few full Noise frames in flight; yamux streams wait while it is full.
            channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024));
            timeout = channel.eventLoop().schedule(() -> fail(new IOException(new TimeoutException(
                    "upgrade of the connection with " + raw.remoteAddress() + " did not finish within "
                            + settings.handshakeTimeout()))),
                    settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            channel.closeFuture().addListener(f -> fail(new IOException("connection to " + raw.remoteAddress()
                    + " closed during the upgrade")));
            Negotiation security = initiator ? Negotiation.initiator(List.of(NOISE)) : Negotiation.responder(NOISE::equals);
            channel.pipeline().addLast("hyphae-mss-security",
                    new MultistreamHandler(security, "security protocol", new MultistreamHandler.Listener() {
                        @Override
                        public void selected(ChannelHandlerContext ctx, String protocol) {
                            ctx.pipeline().addAfter(ctx.name(), "hyphae-noise-handshake", new NoiseHandshakeHandler(
                                    initiator, staticKey, identity, expectedRemote, random, noiseListener()));
                        }

                        @Override
                        public void failed(Throwable cause) {
                            fail(cause);
                        }
                    }));
            channel.config().setAutoRead(true);
        }

        private NoiseHandshakeHandler.Listener noiseListener() {
            return new NoiseHandshakeHandler.Listener() {
                @Override
                public void established(ChannelHandlerContext ctx, NoiseHandshakeHandler.Result r) {
                    noise = r;
                    Negotiation muxer = initiator ? Negotiation.initiator(List.of(YAMUX)) : Negotiation.responder(YAMUX::equals);
                    // The muxer negotiation goes in first (it starts in a later task), then the codec
                    // replaces the handshake handler and decrypts what arrived with the last message.
                    ctx.pipeline().addAfter(ctx.name(), "hyphae-mss-muxer",
                            new MultistreamHandler(muxer, "stream muxer", muxerListener()));
                    ctx.pipeline().replace(ctx.name(), "hyphae-noise", new NoiseTransportCodec(r.send(), r.receive()));
                }

                @Override
                public void failed(Throwable cause) {
                    fail(cause);
                }
            };
        }

        private MultistreamHandler.Listener muxerListener() {
            return new MultistreamHandler.Listener() {
                @Override
                public void selected(ChannelHandlerContext ctx, String protocol) {
                    YamuxSession session = new YamuxSession(initiator, settings.yamux(), callbacks, this::inboundStream);
                    UpgradedConnection connection = new UpgradedConnection(raw, transportName, noise.remotePeer(),
                            noise.remoteIdentityKey(), session, settings);
                    session.connection(connection);
                    ctx.pipeline().addAfter(ctx.name(), "hyphae-yamux", session);
                    finished = true;
                    timeout.cancel(false);
                    LOG.log(Level.DEBUG, "upgraded {0}", connection);
                    callbacks.execute(() -> result.complete(connection));
                }

                private void inboundStream(YamuxStream stream) {
                    Set<String> supported = inbound.protocols();
                    StreamNegotiation.run(stream, Negotiation.responder(supported::contains), stream::unread)
                            .orTimeout(settings.streamNegotiationTimeout().toMillis(), TimeUnit.MILLISECONDS)
                            .whenComplete((selected, error) -> {
                                if (error != null || selected.isEmpty()) {
                                    LOG.log(Level.DEBUG, "resetting inbound {0}: {1}", stream,
                                            error == null ? "no protocol" : error.toString());
                                    stream.reset();
                                    return;
                                }
                                stream.protocol(selected.get());
                                try {
                                    inbound.accept(stream);
                                } catch (RuntimeException e) {
                                    LOG.log(Level.WARNING, "inbound stream handler failed for " + stream, e);
                                    stream.reset();
                                }
                            });
                }

                @Override
                public void failed(Throwable cause) {
                    fail(cause);
                }
            };
        }

        private void fail(Throwable cause) {
            if (finished) {
                return;
            }
            finished = true;
            Throwable error = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
            LOG.log(Level.DEBUG, "upgrade of {0} failed: {1}", raw.remoteAddress(), error.toString());
            if (timeout != null) {
                timeout.cancel(false);
            }
            try {
                callbacks.execute(() -> result.completeExceptionally(error));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                result.completeExceptionally(error);
            }
            channel.close();
        }
    }
}
