package org.hyphae.consensus.bft.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hyphae.identity.PeerId;

/**
 * The validators of one height with their voting power and proposer priority. Immutable.
 *
 * <p>Proposers rotate by Tendermint's priority algorithm: each step every validator's priority
 * grows by its power, the highest (ties: the lowest peer id bytes) proposes and loses the total
 * power. Round {@code r} of a height takes {@code r + 1} steps from the height's priorities, and
 * the next height starts one step on, so over time each validator proposes in proportion to its
 * power.
 */
final class ValidatorSet {

    /** Most validators a set may hold: a commit certificate of them must fit a block's seal. */
    static final int MAX_VALIDATORS = 100;
    static final Comparator<PeerId> ORDER = Comparator.comparing(PeerId::bytes, Arrays::compareUnsigned);

    private final List<PeerId> peers;
    private final long[] powers;
    private final long[] priorities;
    private final long total;

    private ValidatorSet(List<PeerId> peers, long[] powers, long[] priorities) {
        this.peers = List.copyOf(peers);
        this.powers = powers;
        this.priorities = priorities;
        long t = 0;
        for (long p : powers) {
            t = Math.addExact(t, p);
        }
        this.total = t;
    }

    /**
     * Reads {@code <peer id>:<power>,...} (a missing power is 1).
     *
     * @throws IllegalArgumentException if an entry is malformed, repeated, or the list is empty
     */
    static ValidatorSet parse(String text) {
        Map<PeerId, Long> m = new LinkedHashMap<>();
        if (text != null) {
            for (String part : text.split(",")) {
                String s = part.trim();
                if (s.isEmpty()) {
                    continue;
                }
                int colon = s.indexOf(':');
                PeerId peer = PeerId.parse(colon < 0 ? s : s.substring(0, colon).trim());
                long power;
                try {
                    power = colon < 0 ? 1 : Long.parseLong(s.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("validator " + peer + ": power is not a number: " + s.substring(colon + 1));
                }
                if (power <= 0 || power > ValidatorChange.MAX_POWER) {
                    throw new IllegalArgumentException("validator " + peer + ": power " + power + " is not in 1.." + ValidatorChange.MAX_POWER);
                }
                if (m.put(peer, power) != null) {
                    throw new IllegalArgumentException("validator " + peer + " is listed twice");
                }
            }
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("no validators listed (validators=<peer id>:<power>,...)");
        }
        if (m.size() > MAX_VALIDATORS) {
            throw new IllegalArgumentException(m.size() + " validators exceed the limit of " + MAX_VALIDATORS);
        }
        return of(m, new LinkedHashMap<>());
    }

    private static ValidatorSet of(Map<PeerId, Long> powerByPeer, Map<PeerId, Long> priorityByPeer) {
        List<PeerId> sorted = new ArrayList<>(powerByPeer.keySet());
        sorted.sort(ORDER);
        long[] pw = new long[sorted.size()];
        long[] pr = new long[sorted.size()];
        for (int i = 0; i < pw.length; i++) {
            pw[i] = powerByPeer.get(sorted.get(i));
            pr[i] = priorityByPeer.getOrDefault(sorted.get(i), 0L);
        }
        return new ValidatorSet(sorted, pw, pr);
    }

    int size() {
        return peers.size();
    }

    PeerId peer(int index) {
        return peers.get(index);
    }

    List<PeerId> peers() {
        return peers;
    }

    long power(int index) {
        return powers[index];
    }

    /** The validator's index, or -1 if it is not one. */
    int indexOf(PeerId peer) {
        return peers.indexOf(peer);
    }

    long totalPower() {
        return total;
    }

    /** More than two thirds of the power: a quorum that any two of share an honest validator. */
    boolean isQuorum(long power) {
        return power * 3 > total * 2;
    }

    /** More than a third: at least one honest validator among them. */
    boolean isMoreThanThird(long power) {
        return power * 3 > total;
    }

    /** One step of the priority algorithm on {@code pr}; returns the proposer's index. */
    private int step(long[] pr) {
        int best = 0;
        for (int i = 0; i < pr.length; i++) {
            pr[i] += powers[i];
            if (pr[i] > pr[best]) {
                best = i;
            }
        }
        pr[best] -= total;
        return best;
    }

    /** The proposer of a round at this set's height. */
    PeerId proposer(int round) {
        long[] pr = priorities.clone();
        int idx = 0;
        for (int i = 0; i <= round; i++) {
            idx = step(pr);
        }
        return peers.get(idx);
    }

    /**
     * The set of the next height: one priority step on, then the changes in order (power 0
     * removes). A change that would empty the set or pass {@link #MAX_VALIDATORS} is skipped.
     */
    ValidatorSet next(List<ValidatorChange> changes) {
        long[] pr = priorities.clone();
        step(pr);
        Map<PeerId, Long> power = new LinkedHashMap<>();
        Map<PeerId, Long> priority = new LinkedHashMap<>();
        for (int i = 0; i < peers.size(); i++) {
            power.put(peers.get(i), powers[i]);
            priority.put(peers.get(i), pr[i]);
        }
        for (ValidatorChange c : applicable(changes)) {
            if (c.power() == 0) {
                power.remove(c.peer());
                priority.remove(c.peer());
            } else {
                boolean added = !power.containsKey(c.peer());
                power.put(c.peer(), c.power());
                if (added) {
                    // As Tendermint does: a newcomer starts well behind, so joining does not make it propose at once.
                    long t = power.values().stream().mapToLong(Long::longValue).sum();
                    priority.put(c.peer(), -(t + t / 8));
                }
            }
        }
        recenter(priority);
        return of(power, priority);
    }

    /** The changes of a block that take effect, in order: those that keep the set non-empty and within bounds. */
    List<ValidatorChange> applicable(List<ValidatorChange> changes) {
        Map<PeerId, Long> power = new LinkedHashMap<>();
        for (int i = 0; i < peers.size(); i++) {
            power.put(peers.get(i), powers[i]);
        }
        List<ValidatorChange> out = new ArrayList<>();
        for (ValidatorChange c : changes) {
            Map<PeerId, Long> after = new LinkedHashMap<>(power);
            if (c.power() == 0) {
                after.remove(c.peer());
            } else {
                after.put(c.peer(), c.power());
            }
            if (after.isEmpty() || after.size() > MAX_VALIDATORS || after.equals(power)) {
                continue;
            }
            power = after;
            out.add(c);
        }
        return out;
    }

    /** Keeps priorities near zero so they cannot drift without bound as powers change. */
    private static void recenter(Map<PeerId, Long> priority) {
        if (priority.isEmpty()) {
            return;
        }
        long sum = 0;
        for (long v : priority.values()) {
            sum += v;
        }
        long mean = Math.floorDiv(sum, priority.size());
        priority.replaceAll((k, v) -> v - mean);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < peers.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(peers.get(i)).append(':').append(powers[i]);
        }
        return b.toString();
    }
}
