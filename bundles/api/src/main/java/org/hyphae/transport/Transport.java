package org.hyphae.transport;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A way to carry raw byte connections between peers (TCP, WebSocket, ...). Transports are
 * whiteboard services: the host uses every registered one, and a dial picks the transport whose
 * {@link #canDial(Multiaddr)} accepts the address.
 *
 * <p>First draft: the transport issue adds dialling and listening.
 */
@ConsumerType
public interface Transport {

    /** Service property naming the transport's protocol, e.g. {@code tcp} or {@code ws}. */
    String PROTOCOL_PROPERTY = "transport.protocol";

    /** Whether this transport can dial the given address. */
    boolean canDial(Multiaddr address);

    /** The addresses this transport is listening on now, without a {@code /p2p} suffix. */
    List<Multiaddr> listenAddresses();
}
