package org.hyphae.discovery.kad.internal;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;

/**
 * Admission to the routing table of a peer that answered: straight in if its bucket has room;
 * if the bucket is full, the least-recently-seen contact there is sent a kad {@code PING}, and the
 * newcomer takes its place only if it fails to answer (Kademlia's rule, and js-libp2p's
 * "ping old contacts"). Checks in flight are bounded; a newcomer that finds them all busy is
 * dropped, as it would be by a full bucket.
 */
final class BucketMaintenance {

    /** Checks of old contacts in flight at once (js-libp2p's ping-old-contact concurrency). */
    static final int MAX_CHECKS = 20;

    private final KadDht dht;
    private final Set<PeerId> checking = ConcurrentHashMap.newKeySet();

    BucketMaintenance(KadDht dht) {
        this.dht = dht;
    }

    /** {@code peer} answered us; {@code addresses} are where it can be reached. */
    void answered(PeerId peer, List<Multiaddr> addresses) {
        if (dht.penalty().excluded(peer)) {
            return;
        }
        RoutingTable table = dht.routingTable();
        long now = dht.now();
        if (table.add(peer, addresses, now)) {
            return;
        }
        Optional<PeerAddresses> oldest = table.leastRecentlySeen(peer);
        if (oldest.isEmpty() || checking.size() >= MAX_CHECKS || !checking.add(oldest.get().peer())) {
            return;
        }
        PeerId old = oldest.get().peer();
        dht.request(old, KadMessage.request(KadMessage.Type.PING, new byte[0]), true).whenComplete((r, e) -> {
            checking.remove(old);
            if (e == null && r.isPresent() && r.get().type() == KadMessage.Type.PING) {
                table.seen(old, dht.now()); // still alive: it keeps its place, the newcomer is dropped
            } else {
                table.replace(old, peer, addresses, dht.now());
            }
        });
    }

    /** Old contacts being checked now. */
    int checksInFlight() {
        return checking.size();
    }
}
