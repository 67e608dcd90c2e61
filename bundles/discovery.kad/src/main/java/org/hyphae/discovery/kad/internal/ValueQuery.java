package org.hyphae.discovery.kad.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.hyphae.discovery.InvalidRecordException;
import org.hyphae.discovery.RecordValidator;
import org.hyphae.identity.PeerId;
import org.hyphae.storage.StorageException;

/**
 * GET_VALUE as the kad-dht spec has it ("Getting values"): the local record counts as one answer;
 * a lookup collects valid records from distinct peers until it has {@code quorum} of them (or the
 * lookup ends), the validator's {@code select} picks the best, and every peer that returned a worse
 * or an invalid record (and this node, if its own copy was worse) is sent the best one with
 * {@code PUT_VALUE}. A peer whose record fails validation is penalized.
 */
final class ValueQuery {

    private static final System.Logger LOG = System.getLogger(ValueQuery.class.getName());

    /** What a get found: the best value and which holders were corrected. */
    record Result(Optional<byte[]> best, int answers, List<PeerId> corrected) {
    }

    private record Answer(PeerId from, byte[] value) {
    }

    private final KadDht dht;
    private final byte[] key;
    private final int quorum;
    private final List<Answer> answers = new ArrayList<>();
    private final List<PeerId> invalid = new ArrayList<>();

    ValueQuery(KadDht dht, byte[] key, int quorum) {
        this.dht = dht;
        this.key = key;
        this.quorum = Math.max(1, quorum);
    }

    CompletionStage<Result> run() {
        dht.store().getValue(key, dht.now()).ifPresent(v -> answers.add(new Answer(dht.localPeer(), v.value())));
        if (!answers.isEmpty() && quorum <= 1) {
            return CompletableFuture.completedFuture(new Result(Optional.of(answers.get(0).value()), 1, List.of()));
        }
        return dht.lookup(key, KadMessage.request(KadMessage.Type.GET_VALUE, key), this::collect)
                .thenCompose(outcome -> conclude());
    }

    /** Lookup callback (under the lookup's monitor): true once the quorum is reached. */
    private boolean collect(PeerId from, KadMessage m) {
        KadMessage.Record r = m.record();
        if (r == null) {
            return false;
        }
        synchronized (answers) {
            if (!Arrays.equals(r.key(), key)) {
                invalid.add(from);
                dht.penalize(from, "GET_VALUE answer for " + RecordKeys.printable(key) + " carries a record for another key");
                return false;
            }
            try {
                dht.validate(key, r.value());
            } catch (InvalidRecordException e) {
                invalid.add(from);
                dht.countBadMessage();
                dht.penalize(from, "invalid record for " + RecordKeys.printable(key) + ": " + e.getMessage());
                return false;
            }
            answers.add(new Answer(from, r.value()));
            return answers.size() >= quorum;
        }
    }

    private CompletionStage<Result> conclude() {
        List<Answer> got;
        List<PeerId> bad;
        synchronized (answers) {
            got = List.copyOf(answers);
            bad = List.copyOf(invalid);
        }
        if (got.isEmpty()) {
            return CompletableFuture.completedFuture(new Result(Optional.empty(), 0, List.of()));
        }
        byte[] best = got.get(select(got)).value();
        List<PeerId> outdated = new ArrayList<>(bad);
        for (Answer a : got) {
            if (!Arrays.equals(a.value(), best)) {
                if (a.from().equals(dht.localPeer())) {
                    correctSelf(best);
                } else {
                    outdated.add(a.from());
                }
            }
        }
        if (outdated.isEmpty()) {
            return CompletableFuture.completedFuture(new Result(Optional.of(best), got.size(), List.of()));
        }
        KadMessage put = dht.putMessage(key, best);
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (PeerId p : outdated) {
            sends.add(dht.request(p, put, true, true).toCompletableFuture().exceptionally(e -> {
                LOG.log(System.Logger.Level.DEBUG, "could not correct the record of " + p + ": " + e.getMessage());
                return Optional.empty();
            }));
        }
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .thenApply(v -> new Result(Optional.of(best), got.size(), List.copyOf(outdated)));
    }

    private int select(List<Answer> got) {
        RecordValidator v = dht.validatorFor(key);
        if (v == null || got.size() == 1) {
            return 0;
        }
        List<byte[]> values = got.stream().map(Answer::value).toList();
        try {
            int i = v.select(key, values);
            return i < 0 || i >= values.size() ? 0 : i;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "record validator select failed for " + RecordKeys.printable(key), e);
            return 0;
        }
    }

    private void correctSelf(byte[] best) {
        long now = dht.now();
        try {
            dht.store().putValue(key, best, RecordKeys.rfc3339(now), now + KadDht.RECORD_TTL_MS);
        } catch (StorageException e) {
            LOG.log(System.Logger.Level.WARNING, "could not store the corrected record " + RecordKeys.printable(key), e);
        }
    }
}
