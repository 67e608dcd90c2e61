package org.hyphae.transport;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.osgi.annotation.versioning.ProviderType;

/** A secured, multiplexed connection to one authenticated peer. */
@ProviderType
public interface Connection {

    /** The authenticated peer at the other end. */
    PeerId remotePeer();

    /** The other side's address (without {@code /p2p}). */
    Multiaddr remoteAddress();

    /** This side's address. */
    Multiaddr localAddress();

    /** Who dialled. */
    Direction direction();

    /** The transport protocol that carries it, e.g. {@code tcp} or {@code ws}. */
    String transport();

    /**
     * Opens a stream and negotiates the first of {@code protocols} that the peer supports.
     *
     * @return completes with the stream, or exceptionally with {@link ProtocolNotSupportedException}
     *     if the peer supports none, or another {@link java.io.IOException}
     */
    CompletionStage<Stream> newStream(List<String> protocols);

    /** The streams open on this connection now. */
    List<Stream> streams();

    /** Closes the connection and all its streams; idempotent. */
    void close();

    /** Completes when the connection is closed. */
    CompletionStage<Void> closed();
}
