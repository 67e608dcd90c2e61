package org.hyphae.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What this node knows about other peers: their addresses (each with the sources that reported it
 * and when), public key, protocols, agent, latency and a score. Implementations are bounded (a
 * maximum number of peers and of addresses per peer, evicting the stalest and worst-scored) and
 * expire addresses after their time to live, so no source can make the store grow without limit.
 *
 * <p>Protocol bundles penalize peers that misbehave with {@link #penalize}; the penalty decays over
 * time. Consumers such as a connection manager pick peers to dial by {@link PeerRecord#score()}.
 */
@ProviderType
public interface PeerStore {

    /** Source of addresses that a peer announced itself through identify. */
    String SOURCE_IDENTIFY = "identify";
    /** Source of addresses that a connection was actually made on. */
    String SOURCE_CONNECTION = "connection";
    /** Source of addresses entered by an operator. */
    String SOURCE_MANUAL = "manual";

    /**
     * Records addresses of a peer, or refreshes them. Addresses that cannot be dialled (no transport
     * part, an unspecified or multicast IP, port 0, or a {@code /p2p} naming another peer) are
     * dropped and counted; past the per-peer maximum the stalest addresses are dropped.
     *
     * @param peer the peer; never this node's own id (ignored)
     * @param addresses where it can be reached, with or without {@code /p2p/<peer>}
     * @param source who said so: a {@link PeerDiscovery#SOURCE_PROPERTY} value such as
     *     {@code bootstrap}, {@code mdns}, {@code kad}, or one of the {@code SOURCE_*} constants
     * @param ttl how long the addresses stay without being refreshed
     * @return how many of the addresses were kept
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code ttl} is not positive
     */
    int addAddresses(PeerId peer, List<Multiaddr> addresses, String source, Duration ttl);

    /**
     * Forgets one address of a peer, for example after it failed to dial many times.
     *
     * @param peer the peer
     * @param address the address, with or without {@code /p2p}
     * @return whether the address was known
     */
    boolean removeAddress(PeerId peer, Multiaddr address);

    /**
     * Adds a round-trip time measurement to the peer's latency average (an exponentially weighted
     * moving average). Ignored for unknown peers.
     *
     * @param peer the peer
     * @param rtt the measured round-trip time; not negative
     */
    void recordLatency(PeerId peer, Duration rtt);

    /**
     * Lowers a peer's score, for example because it sent a malformed message. The score decays
     * back towards zero over time. Unknown peers get a record so that the penalty sticks.
     *
     * @param peer the peer
     * @param points how much to subtract; positive
     * @param reason what the peer did, for the log
     * @throws IllegalArgumentException if {@code points} is not positive and finite
     */
    void penalize(PeerId peer, double points, String reason);

    /**
     * Looks one peer up.
     *
     * @param peer the peer
     * @return its record, or empty if the store does not know it
     */
    Optional<PeerRecord> get(PeerId peer);

    /**
     * Every known peer.
     *
     * @return a snapshot, best score first
     */
    List<PeerRecord> peers();

    /**
     * Forgets a peer entirely (also on disk).
     *
     * @param peer the peer
     * @return whether it was known
     */
    boolean remove(PeerId peer);
}
