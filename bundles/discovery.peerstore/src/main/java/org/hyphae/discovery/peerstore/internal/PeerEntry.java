package org.hyphae.discovery.peerstore.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.hyphae.discovery.PeerRecord;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;

/** The mutable state of one peer inside a {@link PeerBook}; guarded by the book's lock. */
final class PeerEntry {

    /** One address: who reported it, when, and until when it is kept. Times in epoch millis. */
    static final class Address {
        final Multiaddr address;
        final Set<String> sources = new LinkedHashSet<>();
        long lastSeen;
        long expires;

        Address(Multiaddr address, long lastSeen, long expires) {
            this.address = address;
            this.lastSeen = lastSeen;
            this.expires = expires;
        }
    }

    final PeerId peer;
    final Map<Multiaddr, Address> addresses = new LinkedHashMap<>();
    byte[] publicKey;
    Set<String> protocols = Set.of();
    String agentVersion = "";
    /** Moving average of ping round trips in nanoseconds; negative when never measured. */
    long latencyNanos = -1;
    /** The score at {@link #scoreAt}; it decays towards zero from there. */
    double score;
    long scoreAt;
    long firstSeen;
    long lastSeen;
    /** When the peer was last seen connected (0: never), so eviction prefers peers never reached. */
    long lastConnected;

    PeerEntry(PeerId peer, long now) {
        this.peer = peer;
        this.firstSeen = now;
        this.lastSeen = now;
        this.scoreAt = now;
        this.publicKey = peer.publicKeyProtobuf().orElse(null);
    }

    /** The score now: halved every {@code halfLifeMillis} since the last change. */
    double score(long now, long halfLifeMillis) {
        if (score == 0 || now <= scoreAt || halfLifeMillis <= 0) {
            return score;
        }
        double decayed = score * Math.pow(0.5, (double) (now - scoreAt) / halfLifeMillis);
        // Below a hundredth of a point a penalty is forgotten, so old records can be dropped.
        return Math.abs(decayed) < 0.01 ? 0 : decayed;
    }

    void addScore(double delta, long now, long halfLifeMillis) {
        score = score(now, halfLifeMillis) + delta;
        scoreAt = now;
    }

    /** Drops expired addresses; returns how many. */
    int expire(long now) {
        int before = addresses.size();
        addresses.values().removeIf(a -> a.expires <= now);
        return before - addresses.size();
    }

    PeerRecord toRecord(long now, long halfLifeMillis) {
        List<PeerRecord.AddressRecord> list = new ArrayList<>();
        addresses.values().stream()
                .filter(a -> a.expires > now)
                .sorted(Comparator.comparingLong((Address a) -> a.lastSeen).reversed())
                .forEach(a -> list.add(new PeerRecord.AddressRecord(a.address, a.sources,
                        Instant.ofEpochMilli(a.lastSeen), Instant.ofEpochMilli(a.expires))));
        return new PeerRecord(peer, list, Optional.ofNullable(publicKey), protocols, agentVersion,
                latencyNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(latencyNanos)),
                score(now, halfLifeMillis), Instant.ofEpochMilli(firstSeen), Instant.ofEpochMilli(lastSeen));
    }
}
