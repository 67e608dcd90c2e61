package org.hyphae.pubsub.gossipsub.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

import org.hyphae.identity.PeerId;

/**
 * GRAFT backoff per topic and peer (v1.1 "Prune Backoff and Peer Exchange"): after a PRUNE either
 * way, neither side grafts the other on that topic until the backoff ends. Router thread only.
 */
final class BackoffTable {

    private final Map<String, Map<PeerId, Long>> until = new HashMap<>();
    private final LongSupplier nanos;

    BackoffTable(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Backs {@code q} off {@code topic} for {@code d} from now (a longer backoff already set stays). */
    void add(PeerId q, String topic, Duration d) {
        long end = nanos.getAsLong() + d.toNanos();
        until.computeIfAbsent(topic, k -> new HashMap<>()).merge(q, end, Math::max);
    }

    /** When the backoff of {@code q} on {@code topic} ends, or null if there is none. */
    Long until(String topic, PeerId q) {
        Map<PeerId, Long> m = until.get(topic);
        return m == null ? null : m.get(q);
    }

    boolean active(String topic, PeerId q) {
        Long end = until(topic, q);
        return end != null && nanos.getAsLong() < end;
    }

    /** Forgets backoffs that ended more than {@code slackNanos} ago. */
    void expire(long now, long slackNanos) {
        for (Iterator<Map<PeerId, Long>> it = until.values().iterator(); it.hasNext();) {
            Map<PeerId, Long> m = it.next();
            m.values().removeIf(end -> now > end + slackNanos);
            if (m.isEmpty()) {
                it.remove();
            }
        }
    }
}
