package org.hyphae.pubsub.gossipsub.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.pubsub.gossipsub.internal.Rpc.PxPeer;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;

/**
 * Peer exchange (v1.1 "Prune Backoff and Peer Exchange"): the peers we offer in a PRUNE, and
 * connecting to peers offered to us (at most {@code prunePeers} per PRUNE, addresses from the
 * signed peer record when there is one, else from what identify told the host).
 */
final class PeerExchange {

    private static final System.Logger LOG = System.getLogger(PeerExchange.class.getName());

    private final Supplier<Host> host;
    private final Identity identity;
    private final PeerTable peers;

    PeerExchange(Supplier<Host> host, Identity identity, PeerTable peers) {
        this.host = host;
        this.identity = identity;
        this.peers = peers;
    }

    /** The PX entries for {@code candidates} (peer ids only: we keep no signed records of others). */
    List<PxPeer> offer(List<RouterPeer> candidates) {
        List<PxPeer> out = new ArrayList<>(candidates.size());
        for (RouterPeer q : candidates) {
            out.add(new PxPeer(q.id.bytes(), null));
        }
        return out;
    }

    /** Connects to up to {@code max} of the offered peers we are not connected to yet. */
    void connect(List<PxPeer> px, int max) {
        Host h = host.get();
        if (h == null) {
            return;
        }
        List<PxPeer> shuffled = new ArrayList<>(px);
        Collections.shuffle(shuffled, ThreadLocalRandom.current());
        int tried = 0;
        for (PxPeer x : shuffled) {
            if (tried >= max) {
                break;
            }
            PeerId pid;
            try {
                pid = PeerId.fromBytes(x.peerId());
            } catch (RuntimeException e) {
                continue;
            }
            if (pid.equals(identity.peerId()) || peers.contains(pid) || !h.connections(pid).isEmpty()) {
                continue;
            }
            List<Multiaddr> addrs = x.signedPeerRecord() != null
                    ? SignedPeerRecord.addresses(x.signedPeerRecord(), pid, identity)
                    : h.peerInfo(pid).map(PeerInfo::listenAddresses).orElse(List.of());
            if (addrs.isEmpty()) {
                continue;
            }
            tried++;
            Multiaddr a = addrs.get(0).withPeerId(pid);
            h.connect(a).whenComplete((c, e) -> {
                if (e != null) {
                    LOG.log(Level.DEBUG, "peer exchange: could not connect to {0}: {1}", a, e.toString());
                }
            });
        }
    }
}
