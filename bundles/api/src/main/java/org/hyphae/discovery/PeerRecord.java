package org.hyphae.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.hyphae.identity.PeerId;

/**
 * A snapshot of what the {@link PeerStore} knows about one peer.
 *
 * @param peer the peer
 * @param addresses its unexpired addresses, most recently seen first
 * @param publicKey its public key as the libp2p {@code PublicKey} protobuf, if known
 * @param protocols the protocols it said it serves (identify); empty if unknown
 * @param agentVersion what it said it runs, e.g. {@code js-libp2p/3.0.0}; empty if unknown
 * @param latency the moving average of its ping round-trip times, if measured
 * @param score zero for a peer without penalties, negative after penalties (decays towards zero)
 * @param firstSeen when the store first heard of it
 * @param lastSeen when it was last reported by a source or seen connected
 */
public record PeerRecord(PeerId peer, List<AddressRecord> addresses, Optional<byte[]> publicKey, Set<String> protocols,
        String agentVersion, Optional<Duration> latency, double score, Instant firstSeen, Instant lastSeen) {

    /**
     * Checks and copies the parts.
     *
     * @throws NullPointerException if a part is null
     */
    public PeerRecord {
        Objects.requireNonNull(peer, "peer");
        addresses = List.copyOf(addresses);
        publicKey = publicKey.map(byte[]::clone);
        protocols = Set.copyOf(protocols);
        Objects.requireNonNull(agentVersion, "agentVersion");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    /**
     * The addresses alone, for dialling.
     *
     * @return the peer and its addresses
     */
    public PeerAddresses toPeerAddresses() {
        return new PeerAddresses(peer, addresses.stream().map(AddressRecord::address).toList());
    }

    /**
     * One address of a peer.
     *
     * @param address where the peer can be reached, without {@code /p2p}
     * @param sources who reported it (e.g. {@code identify}, {@code mdns})
     * @param lastSeen when a source last reported it
     * @param expires when it is dropped unless reported again
     */
    public record AddressRecord(org.hyphae.transport.Multiaddr address, Set<String> sources, Instant lastSeen,
            Instant expires) {

        /**
         * Checks and copies the parts.
         *
         * @throws NullPointerException if a part is null
         */
        public AddressRecord {
            Objects.requireNonNull(address, "address");
            sources = Set.copyOf(sources);
            Objects.requireNonNull(lastSeen, "lastSeen");
            Objects.requireNonNull(expires, "expires");
        }
    }
}
