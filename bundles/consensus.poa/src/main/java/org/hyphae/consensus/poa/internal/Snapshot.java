package org.hyphae.consensus.poa.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.hyphae.identity.PeerId;

/**
 * The signer set after a block, with who signed recently and the open votes. Immutable; each
 * block derives the next snapshot with {@link #apply}.
 *
 * @param height the block the snapshot follows
 * @param signers the authorized signers, sorted by their bytes (turn order)
 * @param recents who signed the last blocks, by height
 * @param votes open votes: target, then voter, then whether to add
 */
record Snapshot(long height, List<PeerId> signers, Map<Long, PeerId> recents, Map<PeerId, Map<PeerId, Boolean>> votes) {

    static final Comparator<PeerId> ORDER = Comparator.comparing(PeerId::bytes, Arrays::compareUnsigned);

    static Snapshot initial(long height, List<PeerId> signers) {
        List<PeerId> s = new ArrayList<>(new java.util.TreeSet<>(ORDER) {
            private static final long serialVersionUID = 1L;
            {
                addAll(signers);
            }
        });
        return new Snapshot(height, Collections.unmodifiableList(s), Map.of(), Map.of());
    }

    /** Blocks within which a signer may sign only once: more than half the signers must take part. */
    int limit() {
        return signers.size() / 2 + 1;
    }

    PeerId inTurn(long height) {
        return signers.get((int) Math.floorMod(height, (long) signers.size()));
    }

    boolean isSigner(PeerId p) {
        return signers.contains(p);
    }

    /** The height at which {@code signer} signed within the recent window before {@code height}, if any. */
    Optional<Long> signedRecently(PeerId signer, long height) {
        for (Map.Entry<Long, PeerId> e : recents.entrySet()) {
            if (e.getValue().equals(signer) && e.getKey() > height - limit()) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    /** Whether a vote would be meaningful now: add a non-signer or remove a signer. */
    boolean validVote(Seal.Vote v) {
        return v.add() != signers.contains(v.target());
    }

    Snapshot apply(long blockHeight, PeerId signer, Optional<Seal.Vote> vote) {
        TreeMap<Long, PeerId> rec = new TreeMap<>(recents);
        rec.put(blockHeight, signer);
        Map<PeerId, Map<PeerId, Boolean>> vs = new HashMap<>();
        votes.forEach((k, v) -> vs.put(k, new HashMap<>(v)));
        List<PeerId> s = new ArrayList<>(signers);
        if (vote.isPresent() && validVote(vote.get())) {
            Seal.Vote v = vote.get();
            Map<PeerId, Boolean> forTarget = vs.computeIfAbsent(v.target(), k -> new HashMap<>());
            forTarget.put(signer, v.add());
            long agree = forTarget.values().stream().filter(b -> b == v.add()).count();
            if (agree > s.size() / 2) {
                if (v.add()) {
                    s.add(v.target());
                    s.sort(ORDER);
                } else {
                    s.remove(v.target());
                    for (Map<PeerId, Boolean> m : vs.values()) {
                        m.remove(v.target());
                    }
                    rec.values().removeIf(v.target()::equals);
                }
                vs.remove(v.target());
            }
        }
        vs.values().removeIf(Map::isEmpty);
        int limit = s.size() / 2 + 1;
        rec.headMap(blockHeight - limit + 1).clear();
        return new Snapshot(blockHeight, Collections.unmodifiableList(s), Collections.unmodifiableMap(rec),
                Collections.unmodifiableMap(vs));
    }
}
