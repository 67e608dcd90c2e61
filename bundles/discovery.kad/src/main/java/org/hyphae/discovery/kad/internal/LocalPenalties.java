package org.hyphae.discovery.kad.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.hyphae.identity.PeerId;

/**
 * The DHT's own {@link PeerPenalty}: each offence keeps the peer out for {@code baseMs} times the
 * number of its offences so far (a repeat offender stays out longer), remembered for the most
 * recent {@value #MAX_PEERS} offenders only so a flood of fresh ids cannot grow it without bound.
 */
public final class LocalPenalties implements PeerPenalty {

    static final int MAX_PEERS = 4096;
    private static final System.Logger LOG = System.getLogger(LocalPenalties.class.getName());

    private record Offences(int count, long until) {
    }

    private final long baseMs;
    private final LongSupplier clock;
    private final Map<PeerId, Offences> offenders = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Offences> eldest) {
            return size() > MAX_PEERS;
        }
    });

    public LocalPenalties(long baseMs, LongSupplier clock) {
        this.baseMs = baseMs;
        this.clock = clock;
    }

    @Override
    public void penalize(PeerId peer, String reason) {
        long now = clock.getAsLong();
        Offences o = offenders.compute(peer, (p, old) -> {
            int count = old == null ? 1 : old.count() + 1;
            return new Offences(count, now + baseMs * count);
        });
        LOG.log(System.Logger.Level.INFO, "kad peer " + peer + " penalized (offence " + o.count() + "): " + reason);
    }

    @Override
    public boolean excluded(PeerId peer) {
        Offences o = offenders.get(peer);
        return o != null && clock.getAsLong() < o.until();
    }

    /** Offences recorded against {@code peer} (0 if none or forgotten). */
    public int offences(PeerId peer) {
        Offences o = offenders.get(peer);
        return o == null ? 0 : o.count();
    }
}
