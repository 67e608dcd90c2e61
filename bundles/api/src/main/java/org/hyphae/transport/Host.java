package org.hyphae.transport;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The swarm: this node's secured, multiplexed connections to other peers, over every registered
 * {@link Transport}, with inbound streams routed to {@link ProtocolHandler} services.
 */
@ProviderType
public interface Host {

    /** This node's peer id. */
    PeerId localPeer();

    /** The addresses peers can reach this node on, across all transports, without {@code /p2p}. */
    List<Multiaddr> listenAddresses();

    /**
     * Connects to a peer, or returns the existing connection to it.
     *
     * @param address the peer's address; if it ends in {@code /p2p/<id>}, the peer's key must match
     *     that id or the connection is refused
     * @return completes with the connection, or exceptionally with an {@link java.io.IOException}
     *     that says why (no transport for the address, refused, handshake failed, wrong peer, limit)
     */
    CompletionStage<Connection> connect(Multiaddr address);

    /**
     * Opens a stream to a connected peer, negotiating the first of {@code protocols} it supports.
     *
     * @return fails with {@link ProtocolNotSupportedException} if it supports none, or with an
     *     {@link java.io.IOException} if the peer is not connected
     */
    CompletionStage<Stream> newStream(PeerId peer, List<String> protocols);

    /** Every open connection. */
    List<Connection> connections();

    /** The open connections to one peer. */
    List<Connection> connections(PeerId peer);

    /** The protocol ids this node serves now (its registered protocol handlers). */
    Set<String> protocols();

    /** What a connected (or recently connected) peer said about itself through identify. */
    java.util.Optional<PeerInfo> peerInfo(PeerId peer);
}
