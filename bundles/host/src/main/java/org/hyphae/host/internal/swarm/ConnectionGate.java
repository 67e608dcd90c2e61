package org.hyphae.host.internal.swarm;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Direction;

/**
 * Admission control for connections, in the manner of go-libp2p's resource manager scopes: a
 * connection is charged when it is admitted (before the handshake, so a flood of half-open
 * connections is bounded too) and released when it closes. Limits can change at any time; what is
 * already admitted stays.
 */
final class ConnectionGate {

    private int inbound;
    private int outbound;
    private int pendingDials;
    private final Map<PeerId, Integer> perPeer = new HashMap<>();
    private volatile HostConfig limits;

    ConnectionGate(HostConfig limits) {
        this.limits = limits;
    }

    void limits(HostConfig limits) {
        this.limits = limits;
    }

    /** Admits a new raw connection, or says which limit refuses it. */
    synchronized Optional<String> admit(Direction direction) {
        HostConfig l = limits;
        if (direction == Direction.INBOUND && inbound >= l.max_inbound()) {
            return Optional.of("inbound connection limit " + l.max_inbound() + " reached");
        }
        if (direction == Direction.OUTBOUND && outbound >= l.max_outbound()) {
            return Optional.of("outbound connection limit " + l.max_outbound() + " reached");
        }
        if (direction == Direction.INBOUND) {
            inbound++;
        } else {
            outbound++;
        }
        return Optional.empty();
    }

    /** Releases what {@link #admit(Direction)} charged. */
    synchronized void release(Direction direction) {
        if (direction == Direction.INBOUND) {
            inbound--;
        } else {
            outbound--;
        }
    }

    /** Charges an authenticated connection to its peer, or says why the peer has too many. */
    synchronized Optional<String> admitPeer(PeerId peer) {
        int count = perPeer.getOrDefault(peer, 0);
        if (count >= limits.max_connections_per_peer()) {
            return Optional.of("peer " + peer + " already has " + count + " connections (limit "
                    + limits.max_connections_per_peer() + ")");
        }
        perPeer.put(peer, count + 1);
        return Optional.empty();
    }

    synchronized void releasePeer(PeerId peer) {
        perPeer.computeIfPresent(peer, (p, c) -> c <= 1 ? null : c - 1);
    }

    /** Starts a dial, or says the pending-dial limit is reached. */
    synchronized Optional<String> startDial() {
        if (pendingDials >= limits.max_pending_dials()) {
            return Optional.of("pending dial limit " + limits.max_pending_dials() + " reached");
        }
        pendingDials++;
        return Optional.empty();
    }

    synchronized void endDial() {
        pendingDials--;
    }

    synchronized int connections() {
        return inbound + outbound;
    }
}
