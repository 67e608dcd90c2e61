package org.hyphae.host.internal.upgrade;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.hyphae.host.internal.multistream.Negotiation;
import org.hyphae.host.internal.multistream.StreamNegotiation;
import org.hyphae.host.internal.yamux.YamuxSession;
import org.hyphae.host.internal.yamux.YamuxStream;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.ProtocolNotSupportedException;
import org.hyphae.transport.RawConnection;
import org.hyphae.transport.Stream;

/** A connection after the upgrade: authenticated by Noise, multiplexed by yamux. */
public final class UpgradedConnection implements Connection {

    private final RawConnection raw;
    private final String transport;
    private final PeerId remotePeer;
    private final byte[] remotePublicKey;
    private final YamuxSession session;
    private final UpgradeSettings settings;

    UpgradedConnection(RawConnection raw, String transport, PeerId remotePeer, byte[] remotePublicKey,
            YamuxSession session, UpgradeSettings settings) {
        this.raw = raw;
        this.transport = transport;
        this.remotePeer = remotePeer;
        this.remotePublicKey = remotePublicKey.clone();
        this.session = session;
        this.settings = settings;
    }

    @Override
    public PeerId remotePeer() {
        return remotePeer;
    }

    /** The peer's identity key as the libp2p {@code PublicKey} protobuf, as proven in the Noise handshake. */
    public byte[] remotePublicKeyProtobuf() {
        return remotePublicKey.clone();
    }

    @Override
    public Multiaddr remoteAddress() {
        return raw.remoteAddress();
    }

    @Override
    public Multiaddr localAddress() {
        return raw.localAddress();
    }

    @Override
    public Direction direction() {
        return raw.isInbound() ? Direction.INBOUND : Direction.OUTBOUND;
    }

    @Override
    public String transport() {
        return transport;
    }

    /** The muxer session (for tests and diagnostics). */
    public YamuxSession session() {
        return session;
    }

    @Override
    public CompletionStage<Stream> newStream(List<String> protocols) {
        List<String> offered = List.copyOf(protocols);
        if (offered.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no protocols offered"));
        }
        return session.openStream().thenCompose(stream -> StreamNegotiation
                .run(stream, Negotiation.initiator(offered), stream::unread)
                .orTimeout(settings.streamNegotiationTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((selected, error) -> {
                    if (error != null) {
                        stream.reset();
                        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        if (cause instanceof TimeoutException) {
                            throw new java.util.concurrent.CompletionException(new java.io.IOException(
                                    "peer " + remotePeer + " did not finish negotiating " + offered + " within "
                                            + settings.streamNegotiationTimeout()));
                        }
                        throw new java.util.concurrent.CompletionException(cause);
                    }
                    if (selected.isEmpty()) {
                        stream.reset();
                        throw new java.util.concurrent.CompletionException(
                                new ProtocolNotSupportedException(remotePeer.toString(), offered));
                    }
                    stream.protocol(selected.get());
                    return (Stream) stream;
                }));
    }

    @Override
    public List<Stream> streams() {
        List<Stream> out = new ArrayList<>();
        for (YamuxStream s : session.streams()) {
            if (s.protocol() != null) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public void close() {
        // GoAway first; the session closes the channel once it is flushed.
        session.close();
    }

    @Override
    public CompletionStage<Void> closed() {
        return session.closed();
    }

    @Override
    public String toString() {
        return "connection to " + remotePeer + " at " + raw.remoteAddress() + " (" + direction() + ", " + transport + ")";
    }
}
