package org.hyphae.transport;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.hyphae.identity.PeerId;

/**
 * What a peer said about itself through identify ({@code /ipfs/id/1.0.0}).
 *
 * @param peer the peer
 * @param agentVersion e.g. {@code hyphae/0.1.0} or {@code js-libp2p/3.0.0}
 * @param protocolVersion e.g. {@code ipfs/0.1.0}
 * @param listenAddresses where it says it listens
 * @param protocols the protocols it serves
 * @param observedAddress how it sees this node's address, if it said
 */
public record PeerInfo(PeerId peer, String agentVersion, String protocolVersion, List<Multiaddr> listenAddresses,
        Set<String> protocols, Optional<Multiaddr> observedAddress) {

    public PeerInfo {
        Objects.requireNonNull(peer, "peer");
        agentVersion = agentVersion == null ? "" : agentVersion;
        protocolVersion = protocolVersion == null ? "" : protocolVersion;
        listenAddresses = List.copyOf(listenAddresses);
        protocols = Set.copyOf(protocols);
        observedAddress = observedAddress == null ? Optional.empty() : observedAddress;
    }
}
