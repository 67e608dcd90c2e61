package org.hyphae.exchange.bitswap.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.hyphae.identity.PeerId;

/**
 * How much this node trusts each peer's Bitswap behaviour. Misbehaviour (a block that matches no
 * CID we asked for, a HAVE never followed by the block, a malformed or oversized message, a want
 * list flood) lowers the score; at or below the ban threshold the peer is ignored for the ban
 * period: sessions stop asking it and the server stops serving it.
 */
final class PeerScores {

    private static final System.Logger LOG = System.getLogger(PeerScores.class.getName());

    /** Penalties, in score points. */
    static final int BAD_BLOCK = 10;
    static final int STALLED = 4;
    static final int MALFORMED = 20;
    static final int FLOOD = 15;

    private record State(int score, long bannedUntil) {
    }

    private final Map<PeerId, State> states = new ConcurrentHashMap<>();
    private final int banThreshold;
    private final long banMillis;
    private final LongSupplier clock;

    PeerScores(int banThreshold, long banMillis, LongSupplier clock) {
        this.banThreshold = banThreshold;
        this.banMillis = banMillis;
        this.clock = clock;
    }

    /** Lowers a peer's score; returns whether this banned it. */
    boolean penalize(PeerId peer, int points, String why) {
        long now = clock.getAsLong();
        boolean[] banned = {false};
        states.compute(peer, (p, s) -> {
            int score = (s == null || (s.bannedUntil() != 0 && s.bannedUntil() <= now) ? 0 : s.score()) - points;
            long until = s == null || s.bannedUntil() <= now ? 0 : s.bannedUntil();
            if (until == 0 && score <= -banThreshold) {
                until = now + banMillis;
                banned[0] = true;
            }
            return new State(score, until);
        });
        LOG.log(System.Logger.Level.INFO, "bitswap peer " + peer + " scored down " + points + " (" + why + "), now "
                + score(peer) + (banned[0] ? "; ignored for " + banMillis / 1000 + " s" : ""));
        return banned[0];
    }

    /** The peer's score: 0 for a peer never penalized, negative after misbehaviour. */
    int score(PeerId peer) {
        State s = states.get(peer);
        return s == null ? 0 : s.score();
    }

    boolean banned(PeerId peer) {
        State s = states.get(peer);
        return s != null && s.bannedUntil() > clock.getAsLong();
    }
}
