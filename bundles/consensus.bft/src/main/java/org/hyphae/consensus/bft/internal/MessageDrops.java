package org.hyphae.consensus.bft.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.identity.PeerId;

/** Messages a session dropped, counted per sender with the last reason (for {@code hyphae:bft} and tests). */
final class MessageDrops {

    private static final System.Logger LOG = System.getLogger(MessageDrops.class.getName());

    private final Map<PeerId, AtomicLong> dropped = new ConcurrentHashMap<>();
    private final Map<PeerId, String> reasons = new ConcurrentHashMap<>();

    void drop(PeerId from, String why) {
        dropped.computeIfAbsent(from, k -> new AtomicLong()).incrementAndGet();
        reasons.put(from, why);
        LOG.log(System.Logger.Level.DEBUG, "bft: dropped a message from " + from + ": " + why);
    }

    long count(PeerId from) {
        AtomicLong n = dropped.get(from);
        return n == null ? 0 : n.get();
    }

    /** One line per sender: how many, and the last reason. */
    void describe(StringBuilder b) {
        dropped.forEach((p, n) -> b.append("dropped from ").append(p).append(": ").append(n.get()).append(" (last: ")
                .append(reasons.get(p)).append(")\n"));
    }
}
