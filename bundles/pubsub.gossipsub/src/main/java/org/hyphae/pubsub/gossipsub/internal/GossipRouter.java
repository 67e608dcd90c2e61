package org.hyphae.pubsub.gossipsub.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.pubsub.Message;
import org.hyphae.pubsub.MessageHandler;
import org.hyphae.pubsub.PubSub;
import org.hyphae.pubsub.PublishException;
import org.hyphae.pubsub.Subscription;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.pubsub.ValidationResult;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Control;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Graft;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IHave;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IWant;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Prune;
import org.hyphae.pubsub.gossipsub.internal.Rpc.PxPeer;
import org.hyphae.pubsub.gossipsub.internal.Rpc.SubOpts;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;
import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.StreamReader;
import org.hyphae.multiformats.Varint;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.MultiaddrProtocol;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.ProtocolNotSupportedException;
import org.hyphae.transport.Stream;

/**
 * A GossipSub v1.1 router (libp2p/specs pubsub/gossipsub v1.0 and v1.1) over the API {@link Host}:
 * one long-lived outbound stream per peer for what we send, the peer's inbound stream for what it
 * sends. Speaks {@code /meshsub/1.1.0}, {@code /meshsub/1.0.0} (no PX, no backoff) and
 * {@code /floodsub/1.0.0} (messages only) with each peer according to what the outbound stream
 * negotiated.
 *
 * <p>Threading: all router state lives on one thread (an executor owned by the router); streams
 * complete on I/O threads and hop onto it. Subscriber handlers run on a separate delivery thread so
 * a slow subscriber never stalls routing. A peer's inbound stream is read one RPC at a time: the
 * next frame is read only after the router processed the previous one, so a fast sender is held
 * back by flow control rather than queued without bound. Outbound bytes per peer are bounded too
 * (messages beyond the bound are dropped for that peer; control messages always go).
 *
 * <p>New peers: the host has no connection events yet, so every heartbeat the router looks at
 * {@link Host#connections()} and opens a pubsub stream to each new peer whose identify info lists
 * one of its protocols (or whose identify info is not known yet). A peer that opens a pubsub
 * stream to us gets one back at once.
 */
public final class GossipRouter implements PubSub, AutoCloseable {

    public static final String MESHSUB_11 = "/meshsub/1.1.0";
    public static final String MESHSUB_10 = "/meshsub/1.0.0";
    public static final String FLOODSUB = "/floodsub/1.0.0";
    /** In order of preference. */
    public static final List<String> PROTOCOLS = List.of(MESHSUB_11, MESHSUB_10, FLOODSUB);

    private static final System.Logger LOG = System.getLogger(GossipRouter.class.getName());
    private static final byte[] SIGN_PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_TOPICS_PER_PEER = 1000;
    private static final int MAX_WRITE = 256 * 1024;

    /** Counters for tests, shells and benchmarks. */
    public record Stats(long delivered, long published, long duplicates, long invalid, long ignored,
            long graylistedRpcs, long ihaveIgnored, long brokenPromises, long graftsInBackoff, long replays,
            long droppedOutbound, long malformedRpcs, long forwarded, long iwantServed, long iwantAsked) {
    }

    /** One peer as the router sees it. */
    private final class Peer {
        final PeerId id;
        Connection connection;
        Direction direction = Direction.INBOUND;
        String ip;
        String protocol;
        Stream out;
        boolean opening;
        long retryAt;
        Set<String> protocolsWhenRefused;
        Stream in;
        final Set<String> topics = new HashSet<>();
        // writer state
        final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
        long queued;
        boolean writing;
        // what goes out at the end of the current router task
        final List<SubOpts> pendingSubs = new ArrayList<>();
        final List<WireMessage> pendingMessages = new ArrayList<>();
        final List<IHave> pendingIHave = new ArrayList<>();
        final List<MessageId> pendingIWant = new ArrayList<>();
        final List<Graft> pendingGraft = new ArrayList<>();
        final List<Prune> pendingPrune = new ArrayList<>();
        // per-heartbeat gossip budgets (v1.1 spam protection)
        int ihavesThisHeartbeat;
        int askedThisHeartbeat;

        Peer(PeerId id) {
            this.id = id;
        }

        boolean active() {
            return out != null;
        }

        boolean meshsub() {
            return MESHSUB_11.equals(protocol) || MESHSUB_10.equals(protocol);
        }

        boolean floodsub() {
            return FLOODSUB.equals(protocol);
        }

        boolean v11() {
            return MESHSUB_11.equals(protocol);
        }

        /** Speaks meshsub, judging by the outbound stream, or by the inbound one while ours is not open. */
        boolean meshsubOrUnknown() {
            if (protocol != null) {
                return meshsub();
            }
            return in != null && (MESHSUB_11.equals(in.protocol()) || MESHSUB_10.equals(in.protocol()));
        }
    }

    private final class Sub implements Subscription {
        final String topic;
        final MessageHandler handler;
        volatile boolean active = true;

        Sub(String topic, MessageHandler handler) {
            this.topic = topic;
            this.handler = handler;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public boolean isActive() {
            return active && !closed;
        }

        @Override
        public void close() {
            removeSubscription(this);
        }
    }

    private final Supplier<Host> host;
    private final Identity identity;
    private final PeerId self;
    private final byte[] selfBytes;
    private volatile RouterParams params;
    private final LongSupplier nanos;
    private final Function<String, List<TopicValidator>> validators;
    private final ScheduledExecutorService executor;
    private final ExecutorService delivery;
    private final AtomicLong seqno = new AtomicLong(System.currentTimeMillis() * 1_000_000L);
    private volatile boolean closed;

    // Router-thread state.
    private final Map<PeerId, Peer> peers = new HashMap<>();
    private final Map<String, Set<PeerId>> mesh = new HashMap<>();
    private final Map<String, Set<PeerId>> fanout = new HashMap<>();
    private final Map<String, Long> fanoutLastPublished = new HashMap<>();
    private final Map<String, Map<PeerId, Long>> backoff = new HashMap<>();
    private final Map<MessageId, Map<PeerId, Long>> promises = new HashMap<>();
    private final MessageCache mcache;
    private final SeenCache seen;
    private final PeerScore score;
    private final Set<Peer> dirty = new LinkedHashSet<>();
    private long heartbeats;

    // Readable from any thread.
    private final Map<String, Set<PeerId>> topicPeers = new ConcurrentHashMap<>();
    private final Map<String, List<Sub>> subscriptions = new ConcurrentHashMap<>();

    // Counters (router thread writes; any thread reads a possibly stale value).
    private volatile long delivered, published, duplicates, invalid, ignored, graylistedRpcs, ihaveIgnored,
            brokenPromises, graftsInBackoff, replays, droppedOutbound, malformedRpcs, forwarded, iwantServed,
            iwantAsked;

    /**
     * Creates a router; {@link #start()} starts it.
     *
     * @param host the current host, read on each use (may return null while there is none)
     * @param identity signs our messages and verifies others'
     * @param validators the topic validators registered for a topic, read per message
     * @param nanos the clock ({@link System#nanoTime()} outside tests)
     */
    public GossipRouter(Supplier<Host> host, Identity identity, RouterParams params, ScoreParams scoreParams,
            Function<String, List<TopicValidator>> validators, LongSupplier nanos) {
        this.host = Objects.requireNonNull(host, "host");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.self = identity.peerId();
        this.selfBytes = self.bytes();
        this.params = params.validate();
        this.validators = validators;
        this.nanos = nanos;
        this.mcache = new MessageCache(params.historyLength(), params.historyGossip());
        this.seen = new SeenCache(params.seenTtl().toNanos());
        this.score = new PeerScore(scoreParams.validate(), nanos, mesh.keySet());
        String name = "gossipsub-" + shortId(self);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + "-delivery");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the heartbeat (unless its interval is zero: then {@link #heartbeatNow()} drives it). */
    public GossipRouter start() {
        Duration interval = params.heartbeatInterval();
        if (!interval.isZero()) {
            long ms = Math.max(1, interval.toMillis());
            executor.scheduleAtFixedRate(() -> run(this::heartbeat), Math.min(100, ms), ms, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Applies new parameters; mesh degrees and thresholds take effect at the next heartbeat. */
    public void reconfigure(RouterParams newParams, ScoreParams newScore) {
        newParams.validate();
        newScore.validate();
        execute(() -> {
            params = newParams;
            seen.ttl(newParams.seenTtl().toNanos());
            score.params(newScore);
        });
    }

    public PeerId localPeer() {
        return self;
    }

    // =============================================================================== PubSub API

    @Override
    public Subscription subscribe(String topic, MessageHandler handler) {
        checkTopic(topic);
        Objects.requireNonNull(handler, "handler");
        if (closed) {
            throw new IllegalStateException("pubsub is stopped");
        }
        Sub s = new Sub(topic, handler);
        boolean first;
        synchronized (subscriptions) {
            List<Sub> list = subscriptions.computeIfAbsent(topic, k -> new CopyOnWriteArrayList<>());
            first = list.isEmpty();
            list.add(s);
        }
        if (first) {
            execute(() -> join(topic));
        }
        return s;
    }

    @Override
    public void unsubscribe(String topic) {
        List<Sub> list;
        synchronized (subscriptions) {
            list = subscriptions.remove(topic);
        }
        if (list != null) {
            for (Sub s : list) {
                s.active = false;
            }
            execute(() -> leave(topic));
        }
    }

    private void removeSubscription(Sub s) {
        if (!s.active) {
            return;
        }
        s.active = false;
        boolean last = false;
        synchronized (subscriptions) {
            List<Sub> list = subscriptions.get(s.topic);
            if (list != null && list.remove(s) && list.isEmpty()) {
                subscriptions.remove(s.topic);
                last = true;
            }
        }
        if (last) {
            execute(() -> leave(s.topic));
        }
    }

    @Override
    public CompletionStage<PublishResult> publish(String topic, byte[] data) {
        checkTopic(topic);
        Objects.requireNonNull(data, "data");
        if (closed) {
            return CompletableFuture.failedFuture(new PublishException("cannot publish on " + topic + ": pubsub is stopped"));
        }
        RouterParams p = params;
        WireMessage wm;
        MessageId id;
        byte[] payload = data.clone();
        if (p.strictSign()) {
            byte[] seq = ByteBuffer.allocate(8).putLong(seqno.incrementAndGet()).array();
            WireMessage unsigned = new WireMessage(selfBytes, payload, seq, topic, null, null);
            byte[] signature = identity.sign(concat(SIGN_PREFIX, unsigned.encode()));
            // The key goes along only when the peer id cannot carry it (spec: "when it cannot be inlined").
            byte[] key = self.publicKey().isPresent() ? null : identity.publicKeyProtobuf();
            wm = new WireMessage(selfBytes, payload, seq, topic, signature, key);
            id = MessageId.fromAndSeqno(identity.publicKeyProtobuf(), seq);
        } else {
            wm = new WireMessage(null, payload, null, topic, null, null);
            id = MessageId.wrap(sha256(payload));
        }
        if (wm.serializedSize() > p.maxMessageSize()) {
            return CompletableFuture.failedFuture(new PublishException("cannot publish on " + topic + ": the message is "
                    + wm.serializedSize() + " bytes, over the limit of " + p.maxMessageSize() + " bytes"));
        }
        Message message = toMessage(id, wm, self, p.strictSign());
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        execute(() -> {
            SeenCache.Record r = seen.add(id, now(), topic);
            r.firstFrom = self;
            validate(message).whenComplete((verdict, e) -> execute(() -> {
                if (verdict != ValidationResult.ACCEPT) {
                    r.status = verdict == ValidationResult.REJECT ? SeenCache.Status.INVALID : SeenCache.Status.IGNORED;
                    result.completeExceptionally(new PublishException("cannot publish on " + topic
                            + ": a local topic validator returned " + verdict));
                    return;
                }
                r.status = SeenCache.Status.VALID;
                r.validated = now();
                mcache.put(id, wm);
                published++;
                deliverLocally(message);
                int n = publishToPeers(topic, wm);
                result.complete(new PublishResult(message, n));
            }));
        });
        return result;
    }

    @Override
    public Set<String> topics() {
        return Set.copyOf(subscriptions.keySet());
    }

    @Override
    public Set<PeerId> peers(String topic) {
        Set<PeerId> s = topicPeers.get(topic);
        return s == null ? Set.of() : Set.copyOf(s);
    }

    // =============================================================================== inbound streams

    /** Takes an inbound pubsub stream (the ProtocolHandler entry point). Does not block. */
    public void handleInbound(Stream stream) {
        if (closed) {
            stream.reset();
            return;
        }
        PeerId pid = stream.remotePeer();
        execute(() -> {
            Peer p = peer(pid);
            if (p.in != null && p.in != stream) {
                // The peer replaced its stream (reconnect, or a second connection): the newest one wins.
                p.in.reset();
            }
            p.in = stream;
            if (p.connection == null) {
                attachConnection(p, stream.connection());
            }
            if (!p.active() && !p.opening) {
                openOutbound(p, stream.connection());
            }
            readLoop(p, stream);
        });
    }

    private void readLoop(Peer p, Stream stream) {
        StreamReader reader = new StreamReader(stream);
        int limit = params.maxRpcSize();
        AsyncLoop.<Boolean>run(() -> reader.readLengthPrefixed(limit).thenCompose(frame -> {
            if (frame.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.of(true));
            }
            // Decoded on the router thread: the I/O thread only moves bytes.
            byte[] bytes = frame.get();
            CompletableFuture<Optional<Boolean>> next = new CompletableFuture<>();
            execute(() -> {
                Rpc rpc;
                try {
                    rpc = Rpc.decode(bytes, Rpc.Limits.DEFAULT);
                } catch (IOException e) {
                    next.completeExceptionally(new IOException("malformed RPC from " + p.id + ": " + e.getMessage(), e));
                    return;
                }
                try {
                    if (p.in == stream) {
                        handleRpc(p, rpc);
                    }
                } finally {
                    next.complete(p.in == stream && !closed ? Optional.empty() : Optional.of(false));
                }
            });
            return next;
        })).whenComplete((eof, e) -> execute(() -> {
            if (e != null) {
                Throwable cause = AsyncLoop.unwrap(e);
                if (!closed && p.in == stream) {
                    LOG.log(Level.DEBUG, "pubsub stream from {0} failed: {1}", p.id, cause.toString());
                    if (cause instanceof org.hyphae.transport.streamio.MessageTooLargeException
                            || cause instanceof org.hyphae.transport.streamio.MalformedMessageException
                            || cause.getMessage() != null && cause.getMessage().startsWith("malformed RPC")) {
                        malformedRpcs++;
                        score.behaviourPenalty(p.id, 1);
                    }
                }
                stream.reset();
            } else if (Boolean.TRUE.equals(eof)) {
                stream.closeWrite();
            }
            if (p.in == stream) {
                p.in = null;
            }
        }));
    }

    // =============================================================================== RPC processing

    private void handleRpc(Peer p, Rpc rpc) {
        if (closed) {
            return;
        }
        if (score.score(p.id) < score.params().graylistThreshold()) {
            graylistedRpcs++;
            return;
        }
        for (SubOpts s : rpc.subscriptions()) {
            handleSubscription(p, s);
        }
        for (WireMessage m : rpc.publish()) {
            handleMessage(p, m);
        }
        Control c = rpc.control();
        if (c != null && !c.isEmpty() && p.meshsubOrUnknown()) {
            handleIWant(p, c.iwant());
            handleIHave(p, c.ihave());
            handleGraft(p, c.graft());
            handlePrune(p, c.prune());
        }
    }

    private void handleSubscription(Peer p, SubOpts s) {
        if (s.subscribe()) {
            if (p.topics.size() >= MAX_TOPICS_PER_PEER && !p.topics.contains(s.topic())) {
                return;
            }
            if (p.topics.add(s.topic()) && p.active()) {
                topicPeers.computeIfAbsent(s.topic(), k -> ConcurrentHashMap.newKeySet()).add(p.id);
            }
        } else if (p.topics.remove(s.topic())) {
            removeFromTopicIndex(p.id, s.topic());
            Set<PeerId> m = mesh.get(s.topic());
            if (m != null && m.remove(p.id)) {
                score.prune(p.id, s.topic());
            }
            Set<PeerId> f = fanout.get(s.topic());
            if (f != null) {
                f.remove(p.id);
            }
        }
    }

    private void handleMessage(Peer from, WireMessage wm) {
        RouterParams p = params;
        String topic = wm.topic();
        if (topic == null) {
            invalid++;
            score.behaviourPenalty(from.id, 1);
            return;
        }
        if (!mesh.containsKey(topic)) {
            // Not subscribed: we neither deliver nor relay it (and keep no score state for the topic).
            ignored++;
            return;
        }
        if (wm.serializedSize() > p.maxMessageSize()) {
            rejectFirstHand(from, topic, "oversized (" + wm.serializedSize() + " bytes)");
            return;
        }
        MessageId id;
        PeerId author = null;
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
            duplicate(from, r, topic);
            return;
        }
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
            if (!verifySignature(wm, author)) {
                // No seen record: a forged copy must not keep the real message out.
                rejectFirstHand(from, topic, "bad signature");
                return;
            }
        }
        SeenCache.Record record = seen.add(id, now(), topic);
        record.firstFrom = from.id;
        record.deliveredBy.put(from.id, 1);
        promises.remove(id);
        Message message = toMessage(id, wm, from.id, p.strictSign());
        PeerId origin = author;
        CompletionStage<ValidationResult> verdict = validate(message);
        CompletableFuture<ValidationResult> now = verdict.toCompletableFuture();
        if (now.isDone()) {
            finishValidation(from.id, id, wm, record, message, origin, now.getNow(ValidationResult.IGNORE));
        } else {
            verdict.whenComplete((v, e) -> execute(() -> finishValidation(from.id, id, wm, record, message, origin,
                    e != null ? ValidationResult.IGNORE : v)));
        }
    }

    private void finishValidation(PeerId from, MessageId id, WireMessage wm, SeenCache.Record record, Message message,
            PeerId author, ValidationResult verdict) {
        String topic = wm.topic();
        switch (verdict) {
            case ACCEPT -> {
                record.status = SeenCache.Status.VALID;
                record.validated = now();
                score.firstDelivery(from, topic);
                for (PeerId q : record.deliveredBy.keySet()) {
                    if (!q.equals(from)) {
                        score.nearFirstDelivery(q, topic, 0); // arrived while we validated
                    }
                }
                mcache.put(id, wm);
                delivered++;
                deliverLocally(message);
                forward(topic, wm, from, author);
            }
            case REJECT -> {
                record.status = SeenCache.Status.INVALID;
                invalid++;
                for (PeerId q : record.deliveredBy.keySet()) {
                    score.invalidDelivery(q, topic);
                }
            }
            default -> {
                record.status = SeenCache.Status.IGNORED;
                ignored++;
            }
        }
    }

    private void rejectFirstHand(Peer from, String topic, String reason) {
        invalid++;
        score.invalidDelivery(from.id, topic);
        LOG.log(Level.DEBUG, "rejected a message on {0} from {1}: {2}", topic, from.id, reason);
    }

    private void duplicate(Peer from, SeenCache.Record r, String topic) {
        duplicates++;
        int copies = r.deliveredBy.merge(from.id, 1, Integer::sum);
        if (copies > 1) {
            // The same peer sent the same message again. An honest router does so only to answer
            // our IWANTs (when its message ids differ from ours), at most gossipRetransmission
            // times; beyond that it is a replay.
            replays++;
            if (copies > 1 + params.gossipRetransmission()) {
                score.behaviourPenalty(from.id, 1);
            }
            return;
        }
        switch (r.status) {
            case VALID -> score.nearFirstDelivery(from.id, topic, r.validated);
            case INVALID -> score.invalidDelivery(from.id, topic);
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
    private static MessageId messageId(WireMessage wm) {
        byte[] from = wm.from();
        byte[] key;
        if (wm.key() != null) {
            key = wm.key();
        } else if (from.length > 2 && from[0] == 0 && (from[1] & 0xFF) == from.length - 2) {
            // An identity multihash (code 0, one-byte length): the key is inlined. Read without
            // parsing the peer id, so duplicates (most arrivals) cost one hash lookup.
            key = java.util.Arrays.copyOfRange(from, 2, from.length);
        } else {
            key = from;
        }
        return MessageId.fromAndSeqno(key, wm.seqno());
    }

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

    private CompletionStage<ValidationResult> validate(Message message) {
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
            stages.add(f.isDone() ? f : f.orTimeout(params.validationTimeout().toMillis(), TimeUnit.MILLISECONDS)
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

    private void handleIHave(Peer p, List<IHave> ihaves) {
        if (ihaves.isEmpty()) {
            return;
        }
        ScoreParams sp = score.params();
        if (score.score(p.id) < sp.gossipThreshold()) {
            ihaveIgnored++;
            return;
        }
        RouterParams rp = params;
        p.ihavesThisHeartbeat++;
        if (p.ihavesThisHeartbeat > rp.maxIHaveMessages() || p.askedThisHeartbeat >= rp.maxIHaveLength()) {
            ihaveIgnored++;
            return;
        }
        Set<MessageId> want = new LinkedHashSet<>();
        for (IHave ih : ihaves) {
            if (ih.topic() == null || !mesh.containsKey(ih.topic())) {
                continue;
            }
            for (MessageId id : ih.messageIds()) {
                if (!seen.contains(id)) {
                    want.add(id);
                }
            }
        }
        if (want.isEmpty()) {
            return;
        }
        List<MessageId> ask = new ArrayList<>(want);
        Collections.shuffle(ask, ThreadLocalRandom.current());
        int n = Math.min(ask.size(), rp.maxIHaveLength() - p.askedThisHeartbeat);
        ask = new ArrayList<>(ask.subList(0, n));
        p.askedThisHeartbeat += n;
        // Track one random id of the batch: if it does not arrive in time, the peer broke its promise.
        MessageId tracked = ask.get(ThreadLocalRandom.current().nextInt(ask.size()));
        promises.computeIfAbsent(tracked, k -> new HashMap<>()).putIfAbsent(p.id,
                now() + rp.iwantFollowupTime().toNanos());
        p.pendingIWant.addAll(ask);
        iwantAsked += n;
        dirty.add(p);
    }

    private void handleIWant(Peer p, List<IWant> iwants) {
        if (iwants.isEmpty()) {
            return;
        }
        if (score.score(p.id) < score.params().gossipThreshold()) {
            ihaveIgnored++;
            return;
        }
        Set<MessageId> done = new HashSet<>();
        for (IWant w : iwants) {
            for (MessageId id : w.messageIds()) {
                if (!done.add(id)) {
                    continue;
                }
                WireMessage m = mcache.getForPeer(id, p.id, params.gossipRetransmission());
                if (m != null) {
                    p.pendingMessages.add(m);
                    iwantServed++;
                    dirty.add(p);
                }
            }
        }
    }

    private void handleGraft(Peer p, List<Graft> grafts) {
        RouterParams rp = params;
        long now = now();
        for (Graft g : grafts) {
            String topic = g.topic();
            Set<PeerId> m = topic == null ? null : mesh.get(topic);
            if (m == null) {
                continue; // unknown topic: ignored, not answered (v1.1 spam protection)
            }
            if (m.contains(p.id)) {
                continue;
            }
            Long until = backoffUntil(topic, p.id);
            if (until != null && now < until) {
                graftsInBackoff++;
                score.behaviourPenalty(p.id, 1);
                // A GRAFT right after the PRUNE is flooding: penalise it twice.
                long floodCutoff = until + rp.graftFloodThreshold().toNanos() - rp.pruneBackoff().toNanos();
                if (now < floodCutoff) {
                    score.behaviourPenalty(p.id, 1);
                }
                addBackoff(p.id, topic, rp.pruneBackoff());
                sendPrune(p, topic, false, rp.pruneBackoff());
                continue;
            }
            if (score.score(p.id) < 0) {
                addBackoff(p.id, topic, rp.pruneBackoff());
                sendPrune(p, topic, false, rp.pruneBackoff());
                continue;
            }
            if (m.size() >= rp.dHi() && p.direction != Direction.OUTBOUND) {
                addBackoff(p.id, topic, rp.pruneBackoff());
                sendPrune(p, topic, true, rp.pruneBackoff());
                continue;
            }
            m.add(p.id);
            score.graft(p.id, topic);
        }
    }

    private void handlePrune(Peer p, List<Prune> prunes) {
        for (Prune pr : prunes) {
            String topic = pr.topic();
            Set<PeerId> m = topic == null ? null : mesh.get(topic);
            if (m == null) {
                continue;
            }
            if (m.remove(p.id)) {
                score.prune(p.id, topic);
            }
            Duration bo = pr.backoffSeconds() >= 0 ? Duration.ofSeconds(Math.min(pr.backoffSeconds(), 86_400))
                    : params.pruneBackoff();
            addBackoff(p.id, topic, bo);
            if (!pr.peers().isEmpty()) {
                if (score.score(p.id) < score.params().acceptPxThreshold()) {
                    continue;
                }
                connectPx(pr.peers());
            }
        }
    }

    private void connectPx(List<PxPeer> px) {
        Host h = host.get();
        if (h == null) {
            return;
        }
        List<PxPeer> shuffled = new ArrayList<>(px);
        Collections.shuffle(shuffled, ThreadLocalRandom.current());
        int tried = 0;
        for (PxPeer x : shuffled) {
            if (tried >= params.prunePeers()) {
                break;
            }
            PeerId pid;
            try {
                pid = PeerId.fromBytes(x.peerId());
            } catch (RuntimeException e) {
                continue;
            }
            if (pid.equals(self) || peers.containsKey(pid) || !h.connections(pid).isEmpty()) {
                continue;
            }
            List<Multiaddr> addrs = x.signedPeerRecord() != null
                    ? SignedPeerRecord.addresses(x.signedPeerRecord(), pid, identity)
                    : h.peerInfo(pid).map(PeerInfo::listenAddresses).orElse(List.of());
            if (addrs.isEmpty()) {
                continue;
            }
            tried++;
            Multiaddr a = addrs.get(0).withPeerId(pid);
            h.connect(a).whenComplete((c, e) -> {
                if (e != null) {
                    LOG.log(Level.DEBUG, "peer exchange: could not connect to {0}: {1}", a, e.toString());
                }
            });
        }
    }

    // =============================================================================== join, leave, publish

    private void join(String topic) {
        if (mesh.containsKey(topic) || closed) {
            return;
        }
        RouterParams rp = params;
        Set<PeerId> m = new LinkedHashSet<>();
        mesh.put(topic, m);
        for (Peer p : peers.values()) {
            if (p.active()) {
                p.pendingSubs.add(new SubOpts(true, topic));
                dirty.add(p);
            }
        }
        Set<PeerId> f = fanout.remove(topic);
        fanoutLastPublished.remove(topic);
        if (f != null) {
            for (PeerId q : f) {
                Peer p = peers.get(q);
                if (m.size() < rp.d() && p != null && p.active() && p.meshsub() && !inBackoff(topic, q)
                        && score.score(q) >= 0) {
                    m.add(q);
                }
            }
        }
        for (Peer p : candidates(topic, m, rp.d() - m.size(), q -> score.score(q.id) >= 0)) {
            m.add(p.id);
        }
        for (PeerId q : m) {
            graft(peers.get(q), topic);
        }
    }

    private void leave(String topic) {
        synchronized (subscriptions) {
            if (subscriptions.containsKey(topic)) {
                return; // subscribed again meanwhile
            }
        }
        Set<PeerId> m = mesh.remove(topic);
        if (m == null) {
            return;
        }
        for (Peer p : peers.values()) {
            if (p.active()) {
                p.pendingSubs.add(new SubOpts(false, topic));
                dirty.add(p);
            }
        }
        Duration bo = params.unsubscribeBackoff();
        for (PeerId q : m) {
            score.prune(q, topic);
            Peer p = peers.get(q);
            if (p != null) {
                addBackoff(q, topic, bo);
                sendPrune(p, topic, false, bo);
            }
        }
        score.forgetTopic(topic);
    }

    private int publishToPeers(String topic, WireMessage wm) {
        RouterParams rp = params;
        double publishThreshold = score.params().publishThreshold();
        Set<PeerId> targets = new LinkedHashSet<>();
        Set<PeerId> inTopic = topicPeers.getOrDefault(topic, Set.of());
        if (rp.floodPublish()) {
            for (PeerId q : inTopic) {
                if (score.score(q) >= publishThreshold) {
                    targets.add(q);
                }
            }
        } else {
            for (PeerId q : inTopic) {
                Peer p = peers.get(q);
                if (p != null && p.floodsub() && score.score(q) >= publishThreshold) {
                    targets.add(q);
                }
            }
            Set<PeerId> m = mesh.get(topic);
            if (m != null) {
                targets.addAll(m);
            } else {
                Set<PeerId> f = fanout.computeIfAbsent(topic, k -> new LinkedHashSet<>());
                if (f.isEmpty()) {
                    for (Peer p : candidates(topic, f, rp.d(), q -> score.score(q.id) >= publishThreshold)) {
                        f.add(p.id);
                    }
                }
                targets.addAll(f);
                fanoutLastPublished.put(topic, now());
            }
        }
        int n = 0;
        for (PeerId q : targets) {
            Peer p = peers.get(q);
            if (p != null && p.active()) {
                p.pendingMessages.add(wm);
                dirty.add(p);
                n++;
            }
        }
        return n;
    }

    private void forward(String topic, WireMessage wm, PeerId source, PeerId author) {
        Set<PeerId> targets = new LinkedHashSet<>();
        for (PeerId q : topicPeers.getOrDefault(topic, Set.of())) {
            Peer p = peers.get(q);
            if (p != null && p.floodsub() && score.score(q) >= score.params().publishThreshold()) {
                targets.add(q);
            }
        }
        Set<PeerId> m = mesh.get(topic);
        if (m != null) {
            targets.addAll(m);
        }
        targets.remove(source);
        if (author != null) {
            targets.remove(author);
        }
        for (PeerId q : targets) {
            Peer p = peers.get(q);
            if (p != null && p.active()) {
                p.pendingMessages.add(wm);
                dirty.add(p);
                forwarded++;
            }
        }
    }

    private void deliverLocally(Message message) {
        List<Sub> list = subscriptions.get(message.topic());
        if (list == null || list.isEmpty()) {
            return;
        }
        try {
            delivery.execute(() -> {
                for (Sub s : list) {
                    if (!s.active) {
                        continue;
                    }
                    try {
                        s.handler.onMessage(message);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "subscriber on " + message.topic() + " threw on " + message, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    // =============================================================================== heartbeat

    /** Runs one heartbeat on the router thread (tests with a zero heartbeat interval call this). */
    public CompletableFuture<Void> heartbeatNow() {
        return call(() -> {
            heartbeat();
            return null;
        });
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        heartbeats++;
        RouterParams rp = params;
        ScoreParams sp = score.params();
        long now = now();
        for (Peer p : peers.values()) {
            p.ihavesThisHeartbeat = 0;
            p.askedThisHeartbeat = 0;
        }
        applyBrokenPromises(now);
        score.refresh();
        expireBackoff(now);
        pollConnections(now);

        Map<PeerId, Double> scores = new HashMap<>();
        Function<PeerId, Double> scoreOf = q -> scores.computeIfAbsent(q, score::score);

        for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
            String topic = e.getKey();
            Set<PeerId> m = e.getValue();
            // Gone or negative peers leave the mesh.
            for (Iterator<PeerId> it = m.iterator(); it.hasNext();) {
                PeerId q = it.next();
                Peer p = peers.get(q);
                if (p == null || !p.active() || !p.topics.contains(topic)) {
                    it.remove();
                    score.prune(q, topic);
                } else if (scoreOf.apply(q) < 0) {
                    it.remove();
                    score.prune(q, topic);
                    addBackoff(q, topic, rp.pruneBackoff());
                    sendPrune(p, topic, false, rp.pruneBackoff());
                }
            }
            if (m.size() < rp.dLo()) {
                for (Peer p : candidates(topic, m, rp.d() - m.size(), q -> scoreOf.apply(q.id) >= 0)) {
                    m.add(p.id);
                    graft(p, topic);
                }
            }
            if (m.size() > rp.dHi()) {
                pruneOversubscribed(topic, m, rp, scoreOf);
            }
            if (m.size() >= rp.dLo()) {
                int outbound = 0;
                for (PeerId q : m) {
                    if (peers.get(q).direction == Direction.OUTBOUND) {
                        outbound++;
                    }
                }
                if (outbound < rp.dOut()) {
                    for (Peer p : candidates(topic, m, rp.dOut() - outbound,
                            q -> q.direction == Direction.OUTBOUND && scoreOf.apply(q.id) >= 0)) {
                        m.add(p.id);
                        graft(p, topic);
                    }
                }
            }
            if (rp.opportunisticGraftTicks() > 0 && heartbeats % rp.opportunisticGraftTicks() == 0 && m.size() > 1) {
                List<Double> s = new ArrayList<>();
                for (PeerId q : m) {
                    s.add(scoreOf.apply(q));
                }
                Collections.sort(s);
                double median = s.get(s.size() / 2);
                if (median < sp.opportunisticGraftThreshold()) {
                    for (Peer p : candidates(topic, m, rp.opportunisticGraftPeers(), q -> scoreOf.apply(q.id) > median)) {
                        m.add(p.id);
                        graft(p, topic);
                    }
                }
            }
            emitGossip(topic, m, scoreOf);
        }

        for (Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Set<PeerId>> e = it.next();
            String topic = e.getKey();
            Long last = fanoutLastPublished.get(topic);
            if (last == null || now - last > rp.fanoutTtl().toNanos()) {
                it.remove();
                fanoutLastPublished.remove(topic);
                continue;
            }
            Set<PeerId> f = e.getValue();
            f.removeIf(q -> {
                Peer p = peers.get(q);
                return p == null || !p.active() || !p.topics.contains(topic) || scoreOf.apply(q) < sp.publishThreshold();
            });
            if (f.size() < rp.d()) {
                for (Peer p : candidates(topic, f, rp.d() - f.size(), q -> scoreOf.apply(q.id) >= sp.publishThreshold())) {
                    f.add(p.id);
                }
            }
            emitGossip(topic, f, scoreOf);
        }
        mcache.shift();
        seen.expire(now);
    }

    private void pruneOversubscribed(String topic, Set<PeerId> m, RouterParams rp, Function<PeerId, Double> scoreOf) {
        List<PeerId> all = new ArrayList<>(m);
        Collections.shuffle(all, ThreadLocalRandom.current());
        all.sort(Comparator.comparingDouble((PeerId q) -> scoreOf.apply(q)).reversed());
        List<PeerId> keep = new ArrayList<>(all.subList(0, Math.min(rp.dScore(), all.size())));
        List<PeerId> rest = new ArrayList<>(all.subList(keep.size(), all.size()));
        Collections.shuffle(rest, ThreadLocalRandom.current());
        for (PeerId q : rest) {
            if (keep.size() >= rp.d()) {
                break;
            }
            keep.add(q);
        }
        // Keep at least D_out outbound peers: swap outbound ones in for the last inbound ones kept at random.
        int outbound = 0;
        for (PeerId q : keep) {
            if (peers.get(q).direction == Direction.OUTBOUND) {
                outbound++;
            }
        }
        if (outbound < rp.dOut()) {
            List<PeerId> spare = new ArrayList<>();
            for (PeerId q : all) {
                if (!keep.contains(q) && peers.get(q).direction == Direction.OUTBOUND) {
                    spare.add(q);
                }
            }
            for (int i = keep.size() - 1; i >= rp.dScore() && outbound < rp.dOut() && !spare.isEmpty(); i--) {
                if (peers.get(keep.get(i)).direction != Direction.OUTBOUND) {
                    keep.set(i, spare.remove(0));
                    outbound++;
                }
            }
        }
        Set<PeerId> keepSet = new HashSet<>(keep);
        for (PeerId q : all) {
            if (!keepSet.contains(q)) {
                m.remove(q);
                score.prune(q, topic);
                addBackoff(q, topic, rp.pruneBackoff());
                sendPrune(peers.get(q), topic, true, rp.pruneBackoff());
            }
        }
    }

    private void emitGossip(String topic, Set<PeerId> exclude, Function<PeerId, Double> scoreOf) {
        List<MessageId> ids = mcache.gossipIds(topic);
        if (ids.isEmpty()) {
            return;
        }
        RouterParams rp = params;
        double threshold = score.params().gossipThreshold();
        List<Peer> eligible = new ArrayList<>();
        for (PeerId q : topicPeers.getOrDefault(topic, Set.of())) {
            Peer p = peers.get(q);
            if (p != null && p.active() && p.meshsub() && !exclude.contains(q) && scoreOf.apply(q) >= threshold) {
                eligible.add(p);
            }
        }
        if (eligible.isEmpty()) {
            return;
        }
        int target = Math.max(rp.dLazy(), (int) (eligible.size() * rp.gossipFactor()));
        Collections.shuffle(eligible, ThreadLocalRandom.current());
        if (ids.size() > rp.maxIHaveLength()) {
            ids = new ArrayList<>(ids);
            Collections.shuffle(ids, ThreadLocalRandom.current());
            ids = ids.subList(0, rp.maxIHaveLength());
        }
        IHave ihave = new IHave(topic, ids);
        for (int i = 0; i < Math.min(target, eligible.size()); i++) {
            Peer p = eligible.get(i);
            p.pendingIHave.add(ihave);
            dirty.add(p);
        }
    }

    private void applyBrokenPromises(long now) {
        Map<PeerId, Integer> broken = new HashMap<>();
        for (Iterator<Map.Entry<MessageId, Map<PeerId, Long>>> it = promises.entrySet().iterator(); it.hasNext();) {
            Map<PeerId, Long> m = it.next().getValue();
            m.entrySet().removeIf(e -> {
                if (now > e.getValue()) {
                    broken.merge(e.getKey(), 1, Integer::sum);
                    return true;
                }
                return false;
            });
            if (m.isEmpty()) {
                it.remove();
            }
        }
        for (Map.Entry<PeerId, Integer> e : broken.entrySet()) {
            brokenPromises += e.getValue();
            score.behaviourPenalty(e.getKey(), e.getValue());
        }
    }

    private List<Peer> candidates(String topic, Set<PeerId> exclude, int max, java.util.function.Predicate<Peer> ok) {
        if (max <= 0) {
            return List.of();
        }
        List<Peer> out = new ArrayList<>();
        for (PeerId q : topicPeers.getOrDefault(topic, Set.of())) {
            Peer p = peers.get(q);
            if (p != null && p.active() && p.meshsub() && !exclude.contains(q) && !inBackoff(topic, q) && ok.test(p)) {
                out.add(p);
            }
        }
        Collections.shuffle(out, ThreadLocalRandom.current());
        return out.size() > max ? out.subList(0, max) : out;
    }

    private void graft(Peer p, String topic) {
        score.graft(p.id, topic);
        p.pendingGraft.add(new Graft(topic));
        dirty.add(p);
    }

    private void sendPrune(Peer p, String topic, boolean px, Duration backoffFor) {
        if (p == null || !p.meshsubOrUnknown()) {
            return;
        }
        if (!p.v11()) {
            p.pendingPrune.add(new Prune(topic, List.of(), -1));
        } else {
            List<PxPeer> exchange = new ArrayList<>();
            if (px && params.doPx() && score.score(p.id) >= 0) {
                for (Peer q : candidates(topic, Set.of(p.id), params.prunePeers(), q -> score.score(q.id) >= 0)) {
                    exchange.add(new PxPeer(q.id.bytes(), null));
                }
            }
            p.pendingPrune.add(new Prune(topic, exchange, backoffFor.toSeconds()));
        }
        dirty.add(p);
    }

    // =============================================================================== backoff

    private void addBackoff(PeerId q, String topic, Duration d) {
        long until = now() + d.toNanos();
        backoff.computeIfAbsent(topic, k -> new HashMap<>()).merge(q, until, Math::max);
    }

    private Long backoffUntil(String topic, PeerId q) {
        Map<PeerId, Long> m = backoff.get(topic);
        return m == null ? null : m.get(q);
    }

    private boolean inBackoff(String topic, PeerId q) {
        Long until = backoffUntil(topic, q);
        return until != null && now() < until;
    }

    private void expireBackoff(long now) {
        // Slack of one heartbeat (v1.1: wait the full backoff plus the offset until the next heartbeat).
        long slack = Math.max(params.heartbeatInterval().toNanos(), TimeUnit.SECONDS.toNanos(1));
        for (Iterator<Map<PeerId, Long>> it = backoff.values().iterator(); it.hasNext();) {
            Map<PeerId, Long> m = it.next();
            m.values().removeIf(until -> now > until + slack);
            if (m.isEmpty()) {
                it.remove();
            }
        }
    }

    // =============================================================================== peers and streams

    private Peer peer(PeerId id) {
        return peers.computeIfAbsent(id, Peer::new);
    }

    private void pollConnections(long now) {
        Host h = host.get();
        if (h == null) {
            return;
        }
        for (Connection c : h.connections()) {
            PeerId pid = c.remotePeer();
            Peer p = peers.get(pid);
            if (p != null && (p.active() || p.opening)) {
                continue;
            }
            Optional<PeerInfo> info = h.peerInfo(pid);
            if (info.isPresent() && Collections.disjoint(info.get().protocols(), PROTOCOLS)) {
                continue; // identify says it speaks no pubsub
            }
            if (p != null && now < p.retryAt
                    && !(info.isPresent() && !info.get().protocols().equals(p.protocolsWhenRefused))) {
                continue;
            }
            Peer q = peer(pid);
            if (q.connection == null) {
                attachConnection(q, c);
            }
            openOutbound(q, c);
        }
    }

    private void attachConnection(Peer p, Connection c) {
        p.connection = c;
        p.direction = c.direction();
        p.ip = ipOf(c.remoteAddress());
        c.closed().whenComplete((v, e) -> execute(() -> connectionClosed(p, c)));
    }

    private void connectionClosed(Peer p, Connection c) {
        if (p.connection != c) {
            return;
        }
        Host h = host.get();
        List<Connection> others = h == null ? List.of() : h.connections(p.id);
        if (!others.isEmpty()) {
            attachConnection(p, others.get(0));
            return;
        }
        removePeer(p);
    }

    private void openOutbound(Peer p, Connection c) {
        p.opening = true;
        c.newStream(PROTOCOLS).whenComplete((s, e) -> execute(() -> {
            p.opening = false;
            if (e != null) {
                Throwable cause = AsyncLoop.unwrap(e);
                p.retryAt = now() + params.connectRetry().toNanos();
                if (cause instanceof ProtocolNotSupportedException) {
                    Host h = host.get();
                    p.protocolsWhenRefused = h == null ? null : h.peerInfo(p.id).map(PeerInfo::protocols).orElse(null);
                    p.retryAt = now() + params.connectRetry().toNanos() * 6;
                }
                LOG.log(Level.DEBUG, "no pubsub stream to {0}: {1}", p.id, cause.toString());
                if (p.in == null && !p.active()) {
                    peers.remove(p.id, p);
                    p.connection = null;
                }
                return;
            }
            if (closed || p.active()) {
                s.reset();
                return;
            }
            if (peers.get(p.id) != p) {
                peers.put(p.id, p);
            }
            p.out = s;
            p.protocol = s.protocol();
            if (p.connection == null) {
                attachConnection(p, s.connection());
            }
            score.addPeer(p.id, p.ip);
            for (String t : p.topics) {
                topicPeers.computeIfAbsent(t, k -> ConcurrentHashMap.newKeySet()).add(p.id);
            }
            // Hello: our subscriptions.
            for (String t : mesh.keySet()) {
                p.pendingSubs.add(new SubOpts(true, t));
            }
            dirty.add(p);
            watchOutbound(p, s);
            pump(p);
        }));
    }

    /** The peer never writes on our outbound stream; reading it tells us when it goes away. */
    private void watchOutbound(Peer p, Stream s) {
        AsyncLoop.<Boolean>run(() -> s.read().thenApply(chunk -> chunk.isEmpty() ? Optional.of(true)
                : Optional.<Boolean>empty()))
                .whenComplete((v, e) -> execute(() -> {
                    if (p.out == s) {
                        outboundGone(p, s, e == null ? "closed by the peer" : AsyncLoop.unwrap(e).toString());
                    }
                }));
    }

    private void outboundGone(Peer p, Stream s, String why) {
        if (p.out != s) {
            return;
        }
        LOG.log(Level.DEBUG, "pubsub stream to {0} ended: {1}", p.id, why);
        s.reset();
        deactivate(p);
        p.retryAt = now() + params.heartbeatInterval().toNanos();
    }

    private void deactivate(Peer p) {
        p.out = null;
        p.protocol = null;
        p.queue.clear();
        p.queued = 0;
        p.writing = false;
        clearPending(p);
        dirty.remove(p);
        for (String t : p.topics) {
            removeFromTopicIndex(p.id, t);
        }
        for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
            if (e.getValue().remove(p.id)) {
                score.prune(p.id, e.getKey());
            }
        }
        for (Set<PeerId> f : fanout.values()) {
            f.remove(p.id);
        }
        score.removePeer(p.id);
    }

    private void removePeer(Peer p) {
        if (p.active()) {
            Stream s = p.out;
            deactivate(p);
            s.reset();
        }
        if (p.in != null) {
            p.in.reset();
            p.in = null;
        }
        p.topics.clear();
        peers.remove(p.id, p);
    }

    private void removeFromTopicIndex(PeerId q, String topic) {
        Set<PeerId> s = topicPeers.get(topic);
        if (s != null) {
            s.remove(q);
            if (s.isEmpty()) {
                topicPeers.remove(topic, s);
            }
        }
    }

    private static void clearPending(Peer p) {
        p.pendingSubs.clear();
        p.pendingMessages.clear();
        p.pendingIHave.clear();
        p.pendingIWant.clear();
        p.pendingGraft.clear();
        p.pendingPrune.clear();
    }

    // =============================================================================== output

    /** Turns what each peer has pending into RPC frames and starts writing. */
    private void flush() {
        if (dirty.isEmpty()) {
            return;
        }
        List<Peer> list = new ArrayList<>(dirty);
        dirty.clear();
        // A message forwarded to several peers is framed once (one RPC per message, which also keeps
        // every RPC under the 1 MiB go-libp2p reads); the peers share the read-only bytes.
        Map<WireMessage, byte[]> framed = new java.util.IdentityHashMap<>();
        for (Peer p : list) {
            if (!p.active()) {
                // Not writable yet (outbound stream still opening): keep it pending until it opens.
                if (p.opening) {
                    dirty.add(p);
                } else {
                    clearPending(p);
                }
                continue;
            }
            Control control = null;
            if (p.meshsub()) {
                List<IWant> iwant = p.pendingIWant.isEmpty() ? List.of() : List.of(new IWant(p.pendingIWant));
                control = new Control(p.pendingIHave, iwant, p.pendingGraft, p.pendingPrune);
            }
            Rpc head = new Rpc(p.pendingSubs, List.of(), control);
            List<WireMessage> msgs = List.copyOf(p.pendingMessages);
            clearPending(p);
            if (!head.isEmpty()) {
                queue(p, frame(head.encode()));
            }
            for (WireMessage m : msgs) {
                byte[] f = framed.computeIfAbsent(m, k -> frame(Rpc.ofMessages(List.of(k)).encode()));
                if (p.queued + f.length > params.maxOutboundQueueBytes()) {
                    droppedOutbound++; // the peer reads too slowly: drop messages, never control
                    continue;
                }
                queue(p, f);
            }
            pump(p);
        }
    }

    private static byte[] frame(byte[] body) {
        byte[] out = new byte[Varint.encodedLength(body.length) + body.length];
        ByteBuffer b = ByteBuffer.wrap(out);
        Varint.writeTo(body.length, b);
        b.put(body);
        return out;
    }

    private static void queue(Peer p, byte[] frame) {
        p.queue.add(ByteBuffer.wrap(frame));
        p.queued += frame.length;
    }

    private void pump(Peer p) {
        if (p.writing || p.queue.isEmpty() || p.out == null) {
            return;
        }
        ByteBuffer head = p.queue.poll();
        ByteBuffer out;
        if (p.queue.isEmpty() || head.remaining() >= MAX_WRITE) {
            out = head;
        } else {
            int total = head.remaining();
            List<ByteBuffer> parts = new ArrayList<>();
            parts.add(head);
            while (!p.queue.isEmpty() && total + p.queue.peek().remaining() <= MAX_WRITE) {
                ByteBuffer b = p.queue.poll();
                total += b.remaining();
                parts.add(b);
            }
            out = ByteBuffer.allocate(total);
            for (ByteBuffer b : parts) {
                out.put(b);
            }
            out.flip();
        }
        int n = out.remaining();
        p.writing = true;
        Stream s = p.out;
        s.write(out).whenComplete((v, e) -> execute(() -> {
            if (p.out != s) {
                return;
            }
            p.writing = false;
            p.queued -= n;
            if (e != null) {
                outboundGone(p, s, AsyncLoop.unwrap(e).toString());
                return;
            }
            pump(p);
        }));
    }

    // =============================================================================== plumbing

    private void execute(Runnable task) {
        try {
            executor.execute(() -> run(task));
        } catch (RejectedExecutionException e) {
            // stopped
        }
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "gossipsub router task failed", e);
        } finally {
            try {
                flush();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "gossipsub flush failed", e);
            }
        }
    }

    /** Runs {@code task} on the router thread and returns its result (for tests, shells, stats). */
    public <T> CompletableFuture<T> call(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            executor.execute(() -> run(() -> {
                try {
                    f.complete(task.call());
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            }));
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new IllegalStateException("router stopped"));
        }
        return f;
    }

    private long now() {
        return nanos.getAsLong();
    }

    private Message toMessage(MessageId id, WireMessage wm, PeerId receivedFrom, boolean signed) {
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

    static String ipOf(Multiaddr a) {
        if (a == null) {
            return null;
        }
        return a.valueFor(MultiaddrProtocol.IP4).or(() -> a.valueFor(MultiaddrProtocol.IP6)).orElse(null);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("empty topic");
        }
    }

    static String shortId(PeerId id) {
        String s = id.toString();
        return s.length() > 8 ? s.substring(s.length() - 6) : s;
    }

    // =============================================================================== introspection

    public Stats stats() {
        return new Stats(delivered, published, duplicates, invalid, ignored, graylistedRpcs, ihaveIgnored,
                brokenPromises, graftsInBackoff, replays, droppedOutbound, malformedRpcs, forwarded, iwantServed,
                iwantAsked);
    }

    /** The mesh of a topic (router thread snapshot). */
    public CompletableFuture<Set<PeerId>> mesh(String topic) {
        return call(() -> Set.copyOf(mesh.getOrDefault(topic, Set.of())));
    }

    /** A peer's score (router thread). */
    public CompletableFuture<Double> score(PeerId peer) {
        return call(() -> score.score(peer));
    }

    /** A peer's P7 counter (router thread). */
    public CompletableFuture<Double> behaviourPenalty(PeerId peer) {
        return call(() -> score.behaviourPenalty(peer));
    }

    /** A peer's P4 counter on a topic (router thread). */
    public CompletableFuture<Double> invalidDeliveries(PeerId peer, String topic) {
        return call(() -> score.invalidDeliveries(peer, topic));
    }

    /** Peers with an open outbound pubsub stream, with the protocol it negotiated. */
    public CompletableFuture<Map<PeerId, String>> connectedPeers() {
        return call(() -> {
            Map<PeerId, String> out = new LinkedHashMap<>();
            for (Peer p : peers.values()) {
                if (p.active()) {
                    out.put(p.id, p.protocol);
                }
            }
            return out;
        });
    }

    /** Lines describing scores, for the shell. */
    public CompletableFuture<List<String>> describeScores() {
        return call(score::describe);
    }

    /** Sets the application-specific score (P5) function. */
    public void appScore(java.util.function.ToDoubleFunction<PeerId> f) {
        execute(() -> score.appScore(f));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (subscriptions) {
            for (List<Sub> list : subscriptions.values()) {
                for (Sub s : list) {
                    s.active = false;
                }
            }
            subscriptions.clear();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                for (Peer p : peers.values()) {
                    if (p.out != null) {
                        p.out.closeWrite();
                    }
                    if (p.in != null) {
                        p.in.reset();
                    }
                }
                peers.clear();
                topicPeers.clear();
                done.complete(null);
            });
            done.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort
        }
        executor.shutdownNow();
        delivery.shutdown();
    }
}
