package org.hyphae.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when the host's connections come and go. A whiteboard service: register one and the host
 * calls it; unregister it and the calls stop. Protocol bundles use it instead of polling
 * {@link Host#connections()}: a DHT adds a peer to its routing table once identify says it speaks
 * the DHT protocol, a pubsub router opens its stream, a peer store records addresses.
 *
 * <p><b>Order and threads.</b> The host delivers events one at a time, in the order they happened,
 * on a thread of its own (never an I/O thread): for one connection {@link #connected} comes
 * before any {@link #identified} for its peer and before {@link #disconnected}. A listener
 * registered while connections are open is told {@link #connected} for each of them first.
 * Listeners must not block: every listener waits for the one before it. An exception a listener
 * throws is logged and does not reach other listeners.
 */
@ConsumerType
public interface ConnectionListener {

    /**
     * A connection to a peer was upgraded (secured and multiplexed) and is open for streams.
     *
     * @param connection the new connection; a peer may have more than one
     */
    default void connected(Connection connection) {
    }

    /**
     * A peer told through identify (or identify push) who it is: its protocols, listen addresses
     * and agent. Comes again whenever the peer pushes a change.
     *
     * @param info what the peer said
     */
    default void identified(PeerInfo info) {
    }

    /**
     * A connection closed, by either side or by the host's limits.
     *
     * @param connection the closed connection; {@link Host#connections(org.hyphae.identity.PeerId)}
     *     tells whether the peer is still connected by another one
     */
    default void disconnected(Connection connection) {
    }
}
