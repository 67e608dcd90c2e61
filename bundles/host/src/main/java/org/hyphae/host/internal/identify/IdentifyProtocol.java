package org.hyphae.host.internal.identify;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.LengthPrefixed;
import org.hyphae.transport.streamio.MalformedMessageException;
import org.hyphae.transport.streamio.StreamReader;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.MultiaddrProtocol;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.Version;

/**
 * The identify protocols {@code /ipfs/id/1.0.0} and {@code /ipfs/id/push/1.0.0}
 * (libp2p/specs identify/README.md), for the swarm to call. A plain object, not a DS component:
 * the swarm owns one, passes itself as the {@link Host} (for this node's listen addresses,
 * protocols and what it knows of peers), and routes the two protocols' inbound streams to
 * {@link #respond(Stream)} and {@link #handlePush(Stream)}; both have {@code ProtocolHandler}'s
 * shape, so {@code identify::respond} works as a handler.
 *
 * <p>Framing: each message is uvarint-length-prefixed, at most {@value #MAX_MESSAGE_SIZE} bytes
 * (js-libp2p's and go-libp2p's limit); a reader accepts up to {@value #MAX_MESSAGES} messages on a
 * stream and merges them (libp2p/specs#709), and a message that would not fit the limit is sent
 * split. Every operation is bounded by the timeout; a stream that fails is reset.
 *
 * <p>Not sent: {@code signedPeerRecord}; a received one is ignored (the plain fields are used).
 */
public final class IdentifyProtocol {

    /** The identify protocol id. */
    public static final String PROTOCOL = "/ipfs/id/1.0.0";
    /** The identify push protocol id. */
    public static final String PUSH_PROTOCOL = "/ipfs/id/push/1.0.0";
    /** What this node sends as {@code protocolVersion}, as js-libp2p and go-libp2p do. */
    public static final String PROTOCOL_VERSION = "ipfs/0.1.0";
    /** Largest identify message accepted or sent, in bytes (js-libp2p and go-libp2p use 8 KiB). */
    public static final int MAX_MESSAGE_SIZE = 8 * 1024;
    /** Most messages read from one identify or push stream. */
    public static final int MAX_MESSAGES = 10;
    /** The default bound on each identify operation. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final System.Logger LOG = System.getLogger(IdentifyProtocol.class.getName());

    private final Identity identity;
    private final Host host;
    private final String agentVersion;
    private final Duration timeout;
    private final Consumer<PeerInfo> pushListener;

    /**
     * @param identity this node's identity (its public key is sent)
     * @param host this node's host: {@link Host#listenAddresses()} and {@link Host#protocols()} are
     *     sent (the swarm must include {@link #PROTOCOL} and {@link #PUSH_PROTOCOL} in the latter),
     *     {@link Host#peerInfo(PeerId)} is the base a partial push updates, and
     *     {@link Host#connections()} is who {@link #pushToAll()} tells
     * @param agentVersion e.g. {@link #defaultAgentVersion()}
     * @param timeout bound on each request, response and push
     * @param pushListener gets the peer's updated information after each valid inbound push; called
     *     on an I/O thread, must not block
     */
    public IdentifyProtocol(Identity identity, Host host, String agentVersion, Duration timeout,
            Consumer<PeerInfo> pushListener) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.host = Objects.requireNonNull(host, "host");
        this.agentVersion = Objects.requireNonNull(agentVersion, "agentVersion");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.pushListener = Objects.requireNonNull(pushListener, "pushListener");
    }

    /**
     * {@code hyphae/<major.minor.micro of this bundle>}, or {@code hyphae/dev} outside OSGi.
     *
     * @return the agent version to send
     */
    public static String defaultAgentVersion() {
        Bundle bundle = FrameworkUtil.getBundle(IdentifyProtocol.class);
        if (bundle == null) {
            return "hyphae/dev";
        }
        Version v = bundle.getVersion();
        return "hyphae/" + v.getMajor() + "." + v.getMinor() + "." + v.getMicro();
    }

    /**
     * Asks the peer of a connection who it is: opens {@value #PROTOCOL}, closes our side, reads the
     * peer's message(s) to the end of the stream and checks its public key against the connection's
     * authenticated peer.
     *
     * @param connection the connection to identify
     * @return what the peer said; fails with {@link IdentifyException} (no key, key of another peer,
     *     our own key), {@link MalformedMessageException} or
     *     {@link org.hyphae.transport.streamio.MessageTooLargeException} (bad message),
     *     {@link EOFException} (no message), {@link TimeoutException}, or the stream's own error
     */
    public CompletionStage<PeerInfo> request(Connection connection) {
        PeerId peer = connection.remotePeer();
        AtomicReference<Stream> opened = new AtomicReference<>();
        CompletableFuture<PeerInfo> result = connection.newStream(List.of(PROTOCOL)).thenCompose(stream -> {
            opened.set(stream);
            // Nothing to send: closing at once means no responder can wait on us.
            return stream.closeWrite().thenCompose(v -> readMessages(stream));
        }).thenApply(message -> {
            try {
                if (message.publicKey() == null) {
                    throw new IdentifyException("identify from " + peer + ": the message has no public key");
                }
                verifyKey(peer, message.publicKey());
                return toPeerInfo(peer, message);
            } catch (IdentifyException e) {
                throw new CompletionException(e);
            }
        }).toCompletableFuture();
        return bounded(result, "identify request to " + peer, peer, opened);
    }

    /**
     * Answers an inbound {@value #PROTOCOL} stream: sends this node's message, closes our side, and
     * waits for the peer to close its own. Returns at once.
     *
     * @param stream the inbound stream
     */
    public void respond(Stream stream) {
        IdentifyMessage message = localMessage(stream.connection(), true);
        CompletableFuture<Void> done = send(stream, message)
                .thenCompose(v -> new StreamReader(stream).expectEnd("identify request")).toCompletableFuture();
        bounded(done, "identify response to " + stream.remotePeer(), stream.remotePeer(),
                new AtomicReference<>(stream))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.log(Level.DEBUG, "{0}", AsyncLoop.unwrap(e).getMessage());
                    }
                });
    }

    /**
     * Tells a peer this node's current information on {@value #PUSH_PROTOCOL}.
     *
     * @param connection the connection to the peer
     * @return completes when the peer has read the push and closed the stream; fails with
     *     {@link org.hyphae.transport.ProtocolNotSupportedException} if it does not speak push, a
     *     {@link TimeoutException}, or the stream's error
     */
    public CompletionStage<Void> push(Connection connection) {
        AtomicReference<Stream> opened = new AtomicReference<>();
        CompletableFuture<Void> result = connection.newStream(List.of(PUSH_PROTOCOL)).thenCompose(stream -> {
            opened.set(stream);
            return send(stream, localMessage(connection, false))
                    .thenCompose(v -> new StreamReader(stream).expectEnd("identify push"));
        }).toCompletableFuture();
        return bounded(result, "identify push to " + connection.remotePeer(), connection.remotePeer(), opened);
    }

    /**
     * Pushes to one connection of each connected peer whose identify listed {@value #PUSH_PROTOCOL}.
     * Call it when this node's protocols or listen addresses change.
     *
     * @return completes when every push has finished; individual failures are logged, not
     *     propagated
     */
    public CompletionStage<Void> pushToAll() {
        Set<PeerId> done = new HashSet<>();
        List<CompletableFuture<Void>> pushes = new ArrayList<>();
        for (Connection c : host.connections()) {
            PeerId peer = c.remotePeer();
            boolean speaksPush = host.peerInfo(peer).map(i -> i.protocols().contains(PUSH_PROTOCOL)).orElse(false);
            if (!speaksPush || !done.add(peer)) {
                continue;
            }
            pushes.add(push(c).toCompletableFuture().handle((v, e) -> {
                if (e != null) {
                    LOG.log(Level.DEBUG, "{0}", AsyncLoop.unwrap(e).getMessage());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new));
    }

    /**
     * Takes an inbound {@value #PUSH_PROTOCOL} stream: reads the message(s), checks a public key if
     * one is sent, applies the fields that are present to what the host knows of the peer, gives
     * the result to the push listener and closes the stream. Bad input resets the stream and is
     * logged. Returns at once.
     *
     * @param stream the inbound stream
     */
    public void handlePush(Stream stream) {
        PeerId peer = stream.remotePeer();
        CompletableFuture<Void> done = readMessages(stream).thenCompose(message -> {
            try {
                if (message.publicKey() != null) {
                    verifyKey(peer, message.publicKey());
                }
            } catch (IdentifyException e) {
                throw new CompletionException(e);
            }
            PeerInfo info = update(host.peerInfo(peer).orElse(null), peer, message);
            // Deliver before closing, so a pusher that sees the stream end knows it was applied.
            try {
                pushListener.accept(info);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "identify push listener failed for " + peer, ex);
            }
            return stream.closeWrite();
        }).toCompletableFuture();
        bounded(done, "identify push from " + peer, peer, new AtomicReference<>(stream)).whenComplete((v, e) -> {
            if (e != null) {
                LOG.log(Level.DEBUG, "{0}", AsyncLoop.unwrap(e).getMessage());
            }
        });
    }

    /**
     * The message this node sends on a connection.
     *
     * @param connection the connection it goes out on
     * @param withObservedAddress whether to include the connection's remote address (a response
     *     does, a push does not, as in js-libp2p)
     * @return the message
     */
    public IdentifyMessage localMessage(Connection connection, boolean withObservedAddress) {
        List<byte[]> addrs = new ArrayList<>();
        for (Multiaddr a : host.listenAddresses()) {
            addrs.add(a.decapsulate(MultiaddrProtocol.P2P).bytes());
        }
        byte[] observed = null;
        if (withObservedAddress && connection != null && !connection.remoteAddress().isEmpty()) {
            observed = connection.remoteAddress().bytes();
        }
        List<String> protocols = new ArrayList<>(new TreeSet<>(host.protocols()));
        return new IdentifyMessage(PROTOCOL_VERSION, agentVersion, identity.publicKeyProtobuf(), addrs, observed,
                protocols, null);
    }

    private CompletionStage<Void> send(Stream stream, IdentifyMessage message) {
        List<byte[]> frames = new ArrayList<>();
        for (IdentifyMessage m : message.split(MAX_MESSAGE_SIZE)) {
            frames.add(m.encode());
        }
        return stream.write(LengthPrefixed.frame(frames)).thenCompose(v -> stream.closeWrite());
    }

    /** Reads up to {@value #MAX_MESSAGES} messages to the end of the stream and merges them. */
    private CompletableFuture<IdentifyMessage> readMessages(Stream stream) {
        StreamReader reader = new StreamReader(stream);
        List<IdentifyMessage> messages = new ArrayList<>();
        return AsyncLoop.run(() -> {
            if (messages.size() == MAX_MESSAGES) {
                return reader.expectEnd(MAX_MESSAGES + " identify messages")
                        .thenApply(v -> Optional.of(IdentifyMessage.merge(messages)));
            }
            return reader.readLengthPrefixed(MAX_MESSAGE_SIZE).thenApply(body -> {
                if (body.isEmpty()) {
                    if (messages.isEmpty()) {
                        throw new CompletionException(new EOFException(
                                reader.context() + ": stream ended without an identify message"));
                    }
                    return Optional.of(IdentifyMessage.merge(messages));
                }
                try {
                    messages.add(IdentifyMessage.decode(body.get()));
                } catch (MalformedMessageException e) {
                    throw new CompletionException(new MalformedMessageException(reader.context() + ": " + e.getMessage(), e));
                }
                return Optional.<IdentifyMessage>empty();
            });
        }).toCompletableFuture();
    }

    private void verifyKey(PeerId peer, byte[] publicKey) throws IdentifyException {
        PeerId keyOwner;
        try {
            keyOwner = PeerId.fromPublicKeyProtobuf(publicKey);
        } catch (IllegalArgumentException e) {
            throw new IdentifyException("identify from " + peer + ": bad public key: " + e.getMessage(), e);
        }
        if (!keyOwner.equals(peer)) {
            throw new IdentifyException("identify from " + peer + ": the message carries the public key of "
                    + keyOwner + ", not of the connection's peer " + peer);
        }
        if (keyOwner.equals(identity.peerId())) {
            throw new IdentifyException("identify from " + peer + ": that is this node's own key");
        }
    }

    /** Bounds an operation by the timeout and resets its stream on any failure. */
    private <T> CompletableFuture<T> bounded(CompletableFuture<T> op, String what, PeerId peer,
            AtomicReference<Stream> stream) {
        long ms = timeout.toMillis();
        return op.orTimeout(ms, TimeUnit.MILLISECONDS).handle((v, e) -> {
            if (e == null) {
                return v;
            }
            Stream s = stream.get();
            if (s != null) {
                s.reset();
            }
            Throwable cause = AsyncLoop.unwrap(e);
            if (cause instanceof TimeoutException) {
                cause = new TimeoutException(what + " did not finish within " + ms + " ms");
            } else if (cause.getMessage() == null || !cause.getMessage().contains(peer.toString())) {
                cause = withContext(cause, what);
            }
            throw new CompletionException(cause);
        });
    }

    /** Prefixes an error that does not name the peer yet, keeping its type where we can. */
    private static Throwable withContext(Throwable cause, String what) {
        String message = what + " failed: " + cause;
        if (cause instanceof org.hyphae.transport.ProtocolNotSupportedException) {
            return cause; // names the peer and protocols already
        }
        if (cause instanceof IOException) {
            return new IOException(message, cause);
        }
        return new IllegalStateException(message, cause);
    }

    /** The information of a full identify response. */
    static PeerInfo toPeerInfo(PeerId peer, IdentifyMessage m) {
        return new PeerInfo(peer, m.agentVersion(), m.protocolVersion(), addresses(peer, m.listenAddrs()),
                new LinkedHashSet<>(m.protocols()), observed(peer, m.observedAddr()));
    }

    /** Applies a push to what was known: present fields replace, absent or empty ones keep. */
    static PeerInfo update(PeerInfo known, PeerId peer, IdentifyMessage m) {
        PeerInfo base = known != null ? known : new PeerInfo(peer, "", "", List.of(), Set.of(), Optional.empty());
        return new PeerInfo(peer,
                m.agentVersion() != null ? m.agentVersion() : base.agentVersion(),
                m.protocolVersion() != null ? m.protocolVersion() : base.protocolVersion(),
                m.listenAddrs().isEmpty() ? base.listenAddresses() : addresses(peer, m.listenAddrs()),
                m.protocols().isEmpty() ? base.protocols() : new LinkedHashSet<>(m.protocols()),
                m.observedAddr() != null ? observed(peer, m.observedAddr()) : base.observedAddress());
    }

    /** Decodes addresses, skipping (and logging) any we cannot parse, as js-libp2p does. */
    private static List<Multiaddr> addresses(PeerId peer, List<byte[]> raw) {
        List<Multiaddr> out = new ArrayList<>();
        for (byte[] bytes : raw) {
            try {
                Multiaddr a = Multiaddr.decode(bytes);
                if (!a.isEmpty()) {
                    out.add(a);
                }
            } catch (IllegalArgumentException e) {
                LOG.log(Level.DEBUG, "identify from {0}: skipping listen address: {1}", peer, e.getMessage());
            }
        }
        return out;
    }

    private static Optional<Multiaddr> observed(PeerId peer, byte[] raw) {
        if (raw == null || raw.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Multiaddr.decode(raw));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.DEBUG, "identify from {0}: skipping observed address: {1}", peer, e.getMessage());
            return Optional.empty();
        }
    }
}
