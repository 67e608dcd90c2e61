package org.hyphae.pubsub.gossipsub.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.hyphae.identity.PeerId;

/**
 * The {@code seen} cache (v1.0 spec "Message Cache"): message ids seen in the last {@code seenTtl},
 * each with its delivery record for scoring (v1.1 P2/P3/P4): whether validation accepted it, when,
 * and which peers delivered it. Entries expire in insertion order (first seen); not thread-safe.
 */
final class SeenCache {

    enum Status { VALIDATING, VALID, INVALID, IGNORED }

    static final class Record {
        final long firstSeen;
        final String topic;
        Status status = Status.VALIDATING;
        long validated;
        /** Peers that delivered the message, the first one included, and how many copies each sent. */
        final Map<PeerId, Integer> deliveredBy = new HashMap<>(4);
        PeerId firstFrom;
        /** The copy whose signature is being checked (null once the check is done). */
        Rpc.WireMessage first;
        /** Differing copies that arrived during the check, tried if the first one is forged. */
        java.util.List<Alternate> alternates;

        Record(long firstSeen, String topic) {
            this.firstSeen = firstSeen;
            this.topic = topic;
        }
    }

    /** A copy of a message from another peer, differing from the one under check. */
    record Alternate(RouterPeer from, Rpc.WireMessage message) {
    }

    private final LinkedHashMap<MessageId, Record> records = new LinkedHashMap<>();
    private long ttlNanos;

    SeenCache(long ttlNanos) {
        this.ttlNanos = ttlNanos;
    }

    void ttl(long nanos) {
        this.ttlNanos = nanos;
    }

    Record get(MessageId id) {
        return records.get(id);
    }

    boolean contains(MessageId id) {
        return records.containsKey(id);
    }

    /** Adds a record for a newly seen id (replacing nothing); returns it. */
    Record add(MessageId id, long now, String topic) {
        return records.computeIfAbsent(id, k -> new Record(now, topic));
    }

    void remove(MessageId id) {
        records.remove(id);
    }

    /** Drops records older than the TTL. */
    void expire(long now) {
        Iterator<Map.Entry<MessageId, Record>> it = records.entrySet().iterator();
        while (it.hasNext()) {
            if (now - it.next().getValue().firstSeen > ttlNanos) {
                it.remove();
            } else {
                break;
            }
        }
    }

    int size() {
        return records.size();
    }
}
