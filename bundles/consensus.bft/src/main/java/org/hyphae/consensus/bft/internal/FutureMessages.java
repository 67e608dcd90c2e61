package org.hyphae.consensus.bft.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.hyphae.identity.PeerId;

/** Messages for heights a little ahead of ours, kept until we get there (bounded: a peer cannot make us buffer much). */
final class FutureMessages {

    /** A message and who sent it. */
    record Inbound(PeerId from, BftMessage message) {
    }

    private final int max;
    private final TreeMap<Long, List<Inbound>> byHeight = new TreeMap<>();
    private int count;

    FutureMessages(int max) {
        this.max = max;
    }

    /** Keeps a message for its height; false if the buffer is full. */
    boolean keep(PeerId from, BftMessage m) {
        if (count >= max) {
            return false;
        }
        byHeight.computeIfAbsent(m.height(), k -> new ArrayList<>()).add(new Inbound(from, m));
        count++;
        return true;
    }

    /** The messages kept for {@code height} (forgotten here), dropping those of lower heights. */
    List<Inbound> reached(long height) {
        byHeight.headMap(height, false).clear();
        List<Inbound> ready = byHeight.remove(height);
        count = byHeight.values().stream().mapToInt(List::size).sum();
        return ready == null ? List.of() : ready;
    }
}
