package org.hyphae.pubsub.gossipsub.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.hyphae.identity.PeerId;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IWant;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;

/**
 * IDONTWANT (gossipsub v1.2): once a large message has passed its signature check, tell the other
 * v1.2 peers of the topic's mesh that we have it, so they do not send us another copy; remember
 * what each peer told us it does not want (at most {@link #MAX_PER_HEARTBEAT} ids per peer and
 * heartbeat, each for {@code historyLength} heartbeats) and do not send it those messages. As
 * js-libp2p gossipsub does, only messages of at least {@link #MIN_DATA_SIZE} bytes are announced:
 * for small ones the announcement costs about what the copy it spares would. Router thread only.
 */
final class DontWant {

    /** js-libp2p gossipsub's idontwantMinDataSize. */
    static final int MIN_DATA_SIZE = 512;
    /** js-libp2p gossipsub's idontwantMaxMessages (per peer and heartbeat). */
    static final int MAX_PER_HEARTBEAT = 512;

    /** What one peer does not want, with the heartbeat it said so in. */
    static final class Wishes {
        private final LinkedHashMap<MessageId, Long> ids = new LinkedHashMap<>();
        private int thisHeartbeat;

        boolean contains(MessageId id) {
            return ids.containsKey(id);
        }
    }

    private final Supplier<RouterParams> params;
    private final PeerTable peers;
    private final RouterCounters counters;
    private long heartbeat;

    DontWant(Supplier<RouterParams> params, PeerTable peers, RouterCounters counters) {
        this.params = params;
        this.peers = peers;
        this.counters = counters;
    }

    /** The message's signature checked out: tell the mesh peers that did not send it to us. */
    void announce(MessageId id, WireMessage wm, Set<PeerId> meshPeers, Map<PeerId, Integer> deliveredBy) {
        if (wm.dataLength() < MIN_DATA_SIZE) {
            return;
        }
        for (PeerId q : meshPeers) {
            if (deliveredBy.containsKey(q)) {
                continue;
            }
            RouterPeer p = peers.get(q);
            if (p != null && p.active() && p.v12()) {
                p.outbound.idontwant.add(id);
                peers.dirty(p);
                counters.dontWantSent++;
            }
        }
    }

    /** {@code p} says it does not want these. */
    void handle(RouterPeer p, List<IWant> idontwant) {
        if (idontwant.isEmpty()) {
            return;
        }
        Wishes w = p.dontWant;
        for (IWant d : idontwant) {
            for (MessageId id : d.messageIds()) {
                if (w.thisHeartbeat >= MAX_PER_HEARTBEAT) {
                    return;
                }
                w.thisHeartbeat++;
                w.ids.remove(id); // re-insert: the map stays in the order of the heartbeats
                w.ids.put(id, heartbeat);
            }
        }
    }

    /** Whether {@code p} told us it does not want message {@code id}; counts the copy spared. */
    boolean unwanted(RouterPeer p, MessageId id) {
        if (p.dontWant.contains(id)) {
            counters.dontWantSkipped++;
            return true;
        }
        return false;
    }

    /** New heartbeat: fresh budgets; forget what is older than the message cache. */
    void heartbeat() {
        heartbeat++;
        long oldest = heartbeat - params.get().historyLength();
        for (RouterPeer p : peers.all()) {
            Wishes w = p.dontWant;
            w.thisHeartbeat = 0;
            for (Iterator<Long> it = w.ids.values().iterator(); it.hasNext();) {
                if (it.next() >= oldest) {
                    break;
                }
                it.remove();
            }
        }
    }
}
