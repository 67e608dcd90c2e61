package org.hyphae.transport;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A way to carry raw byte connections between peers (TCP, WebSocket, ...). Transports are
 * whiteboard services: the host uses every registered one, a dial picks the first transport whose
 * {@link #canDial(Multiaddr)} accepts the address, and stopping a transport's bundle closes its
 * connections and listeners.
 *
 * <p>Connections are raw: the host secures and multiplexes them.
 */
@ConsumerType
public interface Transport {

    /** Service property naming the transport's protocol, e.g. {@code tcp} or {@code ws}. */
    String PROTOCOL_PROPERTY = "transport.protocol";

    /** Whether this transport can dial the given address (a {@code /p2p} suffix is ignored). */
    boolean canDial(Multiaddr address);

    /** Whether this transport can listen on the given address. */
    boolean canListen(Multiaddr address);

    /**
     * Opens a raw connection.
     *
     * @return completes with the connection, or exceptionally with an {@link IOException} that
     *     names the address
     */
    CompletionStage<RawConnection> dial(Multiaddr address);

    /**
     * Starts listening.
     *
     * @param address where to listen; port 0 picks a free port
     * @param inbound receives each accepted connection, on an I/O thread: must not block
     * @return the listener, whose {@link Listener#address()} is the bound address
     * @throws IOException if the address cannot be bound; the message names it
     */
    Listener listen(Multiaddr address, Consumer<RawConnection> inbound) throws IOException;

    /** The addresses this transport is listening on now, without a {@code /p2p} suffix. */
    List<Multiaddr> listenAddresses();

    /** A bound listening socket. */
    interface Listener extends AutoCloseable {

        /** The address actually bound (with the real port when 0 was asked for). */
        Multiaddr address();

        /** Stops accepting; connections already accepted stay open. */
        @Override
        void close();
    }
}
