package org.hyphae.pubsub.gossipsub.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.hyphae.identity.PeerId;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;

/**
 * The gossipsub {@code mcache} (v1.0 spec "Message Cache"): recent messages in history windows of
 * one heartbeat each; the newest {@code gossip} windows are advertised in IHAVE, all
 * {@code history} windows answer IWANT. Also counts how often each peer got each message through
 * IWANT (v1.1 spam protection: a limited number of retransmissions per peer). Not thread-safe.
 */
final class MessageCache {

    private static final class Entry {
        final WireMessage message;
        final Map<PeerId, Integer> transmissions = new HashMap<>(4);

        Entry(WireMessage message) {
            this.message = message;
        }
    }

    private final int gossip;
    private final ArrayDeque<List<MessageId>> windows = new ArrayDeque<>();
    private final Map<MessageId, Entry> messages = new HashMap<>();
    private final int history;

    MessageCache(int history, int gossip) {
        this.history = history;
        this.gossip = gossip;
        windows.addFirst(new ArrayList<>());
    }

    void put(MessageId id, WireMessage message) {
        if (messages.putIfAbsent(id, new Entry(message)) == null) {
            windows.peekFirst().add(id);
        }
    }

    WireMessage get(MessageId id) {
        Entry e = messages.get(id);
        return e == null ? null : e.message;
    }

    /**
     * The message for an IWANT from {@code peer}, counting the retransmission.
     *
     * @return the message, or null if unknown or {@code peer} already got it {@code max} times
     */
    WireMessage getForPeer(MessageId id, PeerId peer, int max) {
        Entry e = messages.get(id);
        if (e == null) {
            return null;
        }
        int n = e.transmissions.merge(peer, 1, Integer::sum);
        return n > max ? null : e.message;
    }

    /** The ids of messages on {@code topic} in the gossip windows, newest first. */
    List<MessageId> gossipIds(String topic) {
        Set<MessageId> out = new LinkedHashSet<>();
        int i = 0;
        for (List<MessageId> w : windows) {
            if (i++ >= gossip) {
                break;
            }
            for (MessageId id : w) {
                Entry e = messages.get(id);
                if (e != null && topic.equals(e.message.topic())) {
                    out.add(id);
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** Starts a new window, dropping the oldest past the history length. */
    void shift() {
        windows.addFirst(new ArrayList<>());
        while (windows.size() > history) {
            for (MessageId id : windows.removeLast()) {
                messages.remove(id);
            }
        }
    }

    int size() {
        return messages.size();
    }

    /** Topics with messages in the gossip windows. */
    Set<String> gossipTopics() {
        Set<String> out = new LinkedHashSet<>();
        Iterator<List<MessageId>> it = windows.iterator();
        for (int i = 0; i < gossip && it.hasNext(); i++) {
            for (MessageId id : it.next()) {
                Entry e = messages.get(id);
                if (e != null) {
                    out.add(e.message.topic());
                }
            }
        }
        return out;
    }
}
