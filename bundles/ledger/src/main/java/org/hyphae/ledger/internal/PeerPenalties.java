package org.hyphae.ledger.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.hyphae.identity.PeerId;

/**
 * Peers that served invalid chain data: each offence is logged with its reason and bans the peer
 * from sync for a while, longer for repeat offenders.
 */
final class PeerPenalties {

    private static final System.Logger LOG = System.getLogger(PeerPenalties.class.getName());

    private record Record(int offences, long bannedUntil, String lastReason) {
    }

    private final Map<PeerId, Record> records = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final long banMillis;

    PeerPenalties(LongSupplier clock, long banMillis) {
        this.clock = clock;
        this.banMillis = banMillis;
    }

    void penalize(PeerId peer, String reason) {
        Record r = records.merge(peer, new Record(1, clock.getAsLong() + banMillis, reason),
                (old, n) -> new Record(old.offences() + 1, clock.getAsLong() + banMillis * Math.min(16, old.offences() + 1), reason));
        LOG.log(System.Logger.Level.WARNING, "ledger: peer " + peer + " penalized (offence " + r.offences() + "): " + reason);
    }

    boolean banned(PeerId peer) {
        Record r = records.get(peer);
        return r != null && r.bannedUntil() > clock.getAsLong();
    }

    int offences(PeerId peer) {
        Record r = records.get(peer);
        return r == null ? 0 : r.offences();
    }

    String lastReason(PeerId peer) {
        Record r = records.get(peer);
        return r == null ? null : r.lastReason();
    }
}
