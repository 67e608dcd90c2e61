package org.hyphae.pubsub.gossipsub.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.hyphae.identity.PeerId;

/**
 * The router's peers, the index of which active peers are on which topic (readable from any
 * thread, for {@code PubSub.peers}), and the peers with output pending at the end of the current
 * router task. Everything but the topic index is router-thread only.
 */
final class PeerTable {

    private final Map<PeerId, RouterPeer> peers = new HashMap<>();
    private final Map<String, Set<PeerId>> topicPeers = new ConcurrentHashMap<>();
    private final Set<RouterPeer> dirty = new LinkedHashSet<>();

    RouterPeer get(PeerId id) {
        return id == null ? null : peers.get(id);
    }

    RouterPeer getOrCreate(PeerId id) {
        return peers.computeIfAbsent(id, RouterPeer::new);
    }

    boolean contains(PeerId id) {
        return peers.containsKey(id);
    }

    /** Puts {@code p} back under its id (a stream opened for a peer forgotten meanwhile). */
    void restore(RouterPeer p) {
        if (peers.get(p.id) != p) {
            peers.put(p.id, p);
        }
    }

    void remove(RouterPeer p) {
        peers.remove(p.id, p);
        dirty.remove(p);
    }

    Collection<RouterPeer> all() {
        return peers.values();
    }

    void clear() {
        peers.clear();
        topicPeers.clear();
        dirty.clear();
    }

    /** Active peers subscribed to {@code topic} (a live view; do not modify). */
    Set<PeerId> inTopic(String topic) {
        return topicPeers.getOrDefault(topic, Set.of());
    }

    Set<PeerId> snapshot(String topic) {
        Set<PeerId> s = topicPeers.get(topic);
        return s == null ? Set.of() : Set.copyOf(s);
    }

    void index(PeerId q, String topic) {
        topicPeers.computeIfAbsent(topic, k -> ConcurrentHashMap.newKeySet()).add(q);
    }

    void unindex(PeerId q, String topic) {
        Set<PeerId> s = topicPeers.get(topic);
        if (s != null) {
            s.remove(q);
            if (s.isEmpty()) {
                topicPeers.remove(topic, s);
            }
        }
    }

    /** Marks {@code p} as having output to send at the end of this task. */
    void dirty(RouterPeer p) {
        dirty.add(p);
    }

    void clean(RouterPeer p) {
        dirty.remove(p);
    }

    /** The peers marked since the last call, and clears the marks. */
    List<RouterPeer> takeDirty() {
        if (dirty.isEmpty()) {
            return List.of();
        }
        List<RouterPeer> out = new ArrayList<>(dirty);
        dirty.clear();
        return out;
    }

    /** Active meshsub peers in {@code topic} that are not in {@code exclude}. */
    List<RouterPeer> meshsubInTopic(String topic, Set<PeerId> exclude) {
        List<RouterPeer> out = new ArrayList<>();
        for (PeerId q : inTopic(topic)) {
            RouterPeer p = peers.get(q);
            if (p != null && p.active() && p.meshsub() && !exclude.contains(q)) {
                out.add(p);
            }
        }
        return out;
    }

    Map<PeerId, String> protocols() {
        Map<PeerId, String> out = new java.util.LinkedHashMap<>();
        for (RouterPeer p : peers.values()) {
            if (p.active()) {
                out.put(p.id, p.protocol);
            }
        }
        return out;
    }
}
