package org.hyphae.pubsub.gossipsub.internal;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.pubsub.Message;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.pubsub.ValidationResult;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;

/**
 * What happens to a message a peer sends, up to the verdict: the cheap checks (topic, size,
 * signing policy), the seen cache (a copy seen before is a duplicate: counted for scoring, never
 * verified again), the Ed25519 signature (on a worker pool, off the router thread; verdicts of one
 * peer's messages are taken in the order they arrived), then the topic validators. An accepted
 * message goes to {@link Accepted}; a rejected one costs the peers that sent it (P4).
 *
 * <p>The seen record is made when the first copy arrives, before its signature is checked, so the
 * copies arriving meanwhile are duplicates and the message is not forwarded to the peers that sent
 * them. If the signature is bad the record is dropped again (a forged copy must not keep the real
 * message out) and a differing copy that arrived meanwhile is checked in its place.
 */
final class ValidationPipeline {

    /** Where an accepted message goes next (deliver, cache, forward). */
    interface Accepted {
        void accept(MessageId id, WireMessage wm, Message message, SeenCache.Record record, PeerId author);
    }

    /** Told when a message's signature checked out, before the topic validators run. */
    interface Verified {
        void verified(MessageId id, WireMessage wm, SeenCache.Record record);
    }

    /** More messages than this from one peer awaiting their verdict: stop reading from it. */
    static final int MAX_VALIDATING_PER_PEER = 64;
    private static final int MAX_ALTERNATES = 2;
    private static final byte[] SIGN_PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);
    private static final System.Logger LOG = System.getLogger(ValidationPipeline.class.getName());

    private final Supplier<RouterParams> params;
    private final Identity identity;
    private final PeerId self;
    private final PeerScore score;
    private final SeenCache seen;
    private final Gossip gossip;
    private final RouterCounters counters;
    private final Function<String, List<TopicValidator>> validators;
    private final Predicate<String> subscribed;
    private final Executor verifiers;
    private final Executor routerThread;
    private final LongSupplier nanos;
    private final Accepted accepted;
    private final Verified verified;

    ValidationPipeline(Supplier<RouterParams> params, Identity identity, PeerScore score, SeenCache seen, Gossip gossip,
            RouterCounters counters, Function<String, List<TopicValidator>> validators, Predicate<String> subscribed,
            Executor verifiers, Executor routerThread, LongSupplier nanos, Accepted accepted, Verified verified) {
        this.params = params;
        this.identity = identity;
        this.self = identity.peerId();
        this.score = score;
        this.seen = seen;
        this.gossip = gossip;
        this.counters = counters;
        this.validators = validators;
        this.subscribed = subscribed;
        this.verifiers = verifiers;
        this.routerThread = routerThread;
        this.nanos = nanos;
        this.accepted = accepted;
        this.verified = verified;
    }

    /** A message in an RPC from {@code from}. */
    void handle(RouterPeer from, WireMessage wm) {
        RouterParams p = params.get();
        String topic = wm.topic();
        if (topic == null) {
            counters.invalid++;
            score.behaviourPenalty(from.id, 1);
            return;
        }
        if (!subscribed.test(topic)) {
            // Not subscribed: we neither deliver nor relay it (and keep no score state for the topic).
            counters.ignored++;
            return;
        }
        if (wm.serializedSize() > p.maxMessageSize()) {
            rejectFirstHand(from, topic, "oversized (" + wm.serializedSize() + " bytes)");
            return;
        }
        MessageId id;
        if (p.strictSign()) {
            if (wm.from() == null || wm.seqno() == null || wm.signature() == null) {
                rejectFirstHand(from, topic, "unsigned under StrictSign");
                return;
            }
            id = messageId(wm);
        } else {
            if (wm.from() != null || wm.seqno() != null || wm.signature() != null || wm.key() != null) {
                rejectFirstHand(from, topic, "author fields under StrictNoSign");
                return;
            }
            id = MessageId.wrap(sha256(wm.data() == null ? new byte[0] : wm.data()));
        }
        SeenCache.Record r = seen.get(id);
        if (r != null) {
            duplicate(from, r, topic, wm);
            return;
        }
        PeerId author = null;
        if (p.strictSign()) {
            try {
                author = PeerId.fromBytes(wm.from());
            } catch (IllegalArgumentException e) {
                rejectFirstHand(from, topic, "malformed author peer id");
                return;
            }
            if (author.equals(self)) {
                rejectFirstHand(from, topic, "claims to come from this node");
                return;
            }
        }
        SeenCache.Record record = seen.add(id, nanos.getAsLong(), topic);
        record.firstFrom = from.id;
        record.deliveredBy.put(from.id, 1);
        record.first = wm;
        from.validating++;
        CompletableFuture<Boolean> signature;
        if (p.strictSign()) {
            PeerId a = author;
            try {
                signature = CompletableFuture.supplyAsync(() -> verifySignature(wm, a), verifiers);
            } catch (RejectedExecutionException stopping) {
                return;
            }
        } else {
            signature = CompletableFuture.completedFuture(true);
        }
        // Verdicts of one peer's messages in arrival order: wait for the previous one too.
        CompletableFuture<Void> previous = from.lastVerdict;
        CompletableFuture<Void> mine = new CompletableFuture<>();
        from.lastVerdict = mine;
        PeerId origin = author;
        CompletableFuture.allOf(signature, previous).whenComplete((v, e) -> routerThread.execute(() -> {
            try {
                afterSignature(from, id, wm, record, origin, e == null && signature.join());
            } finally {
                mine.complete(null);
            }
        }));
    }

    private void afterSignature(RouterPeer from, MessageId id, WireMessage wm, SeenCache.Record record, PeerId author,
            boolean valid) {
        if (--from.validating <= MAX_VALIDATING_PER_PEER / 2 && from.resumeRead != null) {
            Runnable resume = from.resumeRead;
            from.resumeRead = null;
            resume.run();
        }
        String topic = wm.topic();
        if (!valid) {
            if (seen.get(id) == record) {
                seen.remove(id);
            }
            rejectFirstHand(from, topic, "bad signature");
            List<SeenCache.Alternate> alternates = record.alternates;
            record.alternates = null;
            if (alternates != null) {
                for (SeenCache.Alternate alt : alternates) {
                    if (!seen.contains(id) && alt.from().active()) {
                        handle(alt.from(), alt.message());
                    }
                }
            }
            return;
        }
        record.alternates = null;
        record.first = null;
        gossip.delivered(id);
        verified.verified(id, wm, record);
        Message message = toMessage(id, wm, from.id, params.get().strictSign());
        CompletableFuture<ValidationResult> verdict = validate(message).toCompletableFuture();
        if (verdict.isDone()) {
            finish(from.id, id, wm, record, message, author, verdict.getNow(ValidationResult.IGNORE));
        } else {
            verdict.whenComplete((v, e) -> routerThread.execute(() -> finish(from.id, id, wm, record, message, author,
                    e != null ? ValidationResult.IGNORE : v)));
        }
    }

    private void finish(PeerId from, MessageId id, WireMessage wm, SeenCache.Record record, Message message,
            PeerId author, ValidationResult verdict) {
        String topic = wm.topic();
        switch (verdict) {
            case ACCEPT -> {
                record.status = SeenCache.Status.VALID;
                record.validated = nanos.getAsLong();
                score.firstDelivery(from, topic);
                for (PeerId q : record.deliveredBy.keySet()) {
                    if (!q.equals(from)) {
                        score.nearFirstDelivery(q, topic, 0); // arrived while we validated
                    }
                }
                accepted.accept(id, wm, message, record, author);
            }
            case REJECT -> {
                record.status = SeenCache.Status.INVALID;
                counters.invalid++;
                for (PeerId q : record.deliveredBy.keySet()) {
                    score.invalidDelivery(q, topic);
                }
            }
            default -> {
                record.status = SeenCache.Status.IGNORED;
                counters.ignored++;
            }
        }
    }

    private void rejectFirstHand(RouterPeer from, String topic, String reason) {
        counters.invalid++;
        score.invalidDelivery(from.id, topic);
        LOG.log(Level.DEBUG, "rejected a message on {0} from {1}: {2}", topic, from.id, reason);
    }

    private void duplicate(RouterPeer from, SeenCache.Record r, String topic, WireMessage wm) {
        counters.duplicates++;
        int copies = r.deliveredBy.merge(from.id, 1, Integer::sum);
        if (copies > 1) {
            // The same peer sent the same message again. An honest router does so only to answer
            // our IWANTs (when its message ids differ from ours), at most gossipRetransmission
            // times; beyond that it is a replay.
            counters.replays++;
            if (copies > 1 + params.get().gossipRetransmission()) {
                score.behaviourPenalty(from.id, 1);
            }
            return;
        }
        switch (r.status) {
            case VALID -> score.nearFirstDelivery(from.id, topic, r.validated);
            case INVALID -> score.invalidDelivery(from.id, topic);
            case VALIDATING -> {
                // Its signature is still being checked: keep a copy that differs from the one
                // under check, in case that one turns out forged.
                WireMessage first = r.first;
                if (first != null && (r.alternates == null || r.alternates.size() < MAX_ALTERNATES)
                        && (!Arrays.equals(first.signature(), wm.signature()) || !Arrays.equals(first.data(), wm.data()))) {
                    if (r.alternates == null) {
                        r.alternates = new ArrayList<>(MAX_ALTERNATES);
                    }
                    r.alternates.add(new SeenCache.Alternate(from, wm));
                }
            }
            default -> {
            }
        }
    }

    /**
     * The StrictSign message id: the author's public key (the libp2p {@code PublicKey} protobuf) and
     * the sequence number, as js-libp2p computes it. Peers only compare ids in IHAVE/IWANT, so
     * agreeing with the peers we talk to spares needless IWANTs. (go-libp2p uses the peer id bytes
     * instead; with go peers that costs a few extra IWANTs, which the replay check tolerates.)
     */
    static MessageId messageId(WireMessage wm) {
        byte[] from = wm.from();
        byte[] key;
        if (wm.key() != null) {
            key = wm.key();
        } else if (from.length > 2 && from[0] == 0 && (from[1] & 0xFF) == from.length - 2) {
            // An identity multihash (code 0, one-byte length): the key is inlined. Read without
            // parsing the peer id, so duplicates (most arrivals) cost one hash lookup.
            key = Arrays.copyOfRange(from, 2, from.length);
        } else {
            key = from;
        }
        return MessageId.fromAndSeqno(key, wm.seqno());
    }

    /** Runs on a verifier thread: touches no router state. */
    private boolean verifySignature(WireMessage wm, PeerId author) {
        byte[] key;
        if (wm.key() != null) {
            try {
                if (!PeerId.fromPublicKeyProtobuf(wm.key()).equals(author)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
            key = wm.key();
        } else {
            Optional<byte[]> inlined = author.publicKeyProtobuf();
            if (inlined.isEmpty()) {
                return false;
            }
            key = inlined.get();
        }
        try {
            return identity.verify(key, concat(SIGN_PREFIX, wm.unsignedBytes()), wm.signature());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Signs a message of ours: the signature over the prefix and the unsigned message. */
    static byte[] sign(Identity identity, WireMessage unsigned) {
        return identity.sign(concat(SIGN_PREFIX, unsigned.encode()));
    }

    /** The verdict of the topic's validators: REJECT if any rejects, else IGNORE if any ignores or fails. */
    CompletionStage<ValidationResult> validate(Message message) {
        List<TopicValidator> list = validators.apply(message.topic());
        if (list == null || list.isEmpty()) {
            return CompletableFuture.completedFuture(ValidationResult.ACCEPT);
        }
        List<CompletableFuture<ValidationResult>> stages = new ArrayList<>(list.size());
        for (TopicValidator v : list) {
            CompletableFuture<ValidationResult> f;
            try {
                f = v.validateAsync(message).toCompletableFuture();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "topic validator " + v + " threw on " + message, e);
                f = CompletableFuture.completedFuture(ValidationResult.IGNORE);
            }
            stages.add(f.isDone() ? f : f.orTimeout(params.get().validationTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(e -> ValidationResult.IGNORE));
        }
        return CompletableFuture.allOf(stages.toArray(new CompletableFuture<?>[0])).handle((v, e) -> {
            ValidationResult out = ValidationResult.ACCEPT;
            for (CompletableFuture<ValidationResult> f : stages) {
                ValidationResult r = f.isCompletedExceptionally() ? ValidationResult.IGNORE : f.join();
                if (r == null) {
                    r = ValidationResult.IGNORE;
                }
                if (r == ValidationResult.REJECT) {
                    return ValidationResult.REJECT;
                }
                if (r == ValidationResult.IGNORE) {
                    out = ValidationResult.IGNORE;
                }
            }
            return out;
        });
    }

    static Message toMessage(MessageId id, WireMessage wm, PeerId receivedFrom, boolean signed) {
        Optional<PeerId> from = Optional.empty();
        if (wm.from() != null) {
            try {
                from = Optional.of(PeerId.fromBytes(wm.from()));
            } catch (IllegalArgumentException e) {
                // unsigned policy with a garbage author: leave it out
            }
        }
        return new Message(id.bytes(), from, wm.data() == null ? new byte[0] : wm.data(),
                wm.seqno() == null ? new byte[0] : wm.seqno(), wm.topic(), signed && wm.signature() != null, receivedFrom);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
