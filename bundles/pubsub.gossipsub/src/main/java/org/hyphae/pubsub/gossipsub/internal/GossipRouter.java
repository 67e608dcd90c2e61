package org.hyphae.pubsub.gossipsub.internal;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
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
import org.hyphae.pubsub.gossipsub.internal.Rpc.SubOpts;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.Stream;

/**
 * A GossipSub router (libp2p/specs pubsub/gossipsub v1.0, v1.1 and v1.2) over the API {@link Host}.
 * Speaks {@code /meshsub/1.2.0} (IDONTWANT), {@code /meshsub/1.1.0}, {@code /meshsub/1.0.0} (no PX, no backoff) and
 * {@code /floodsub/1.0.0} (messages only) with each peer according to what our outbound stream to
 * it negotiated. This class is the {@link PubSub} face and the router thread; the work is done by
 * {@link PeerStreams} (streams, reading, writing), {@link ValidationPipeline} (checks, signatures,
 * topic validators), {@link MeshMaintenance} (mesh, fanout, GRAFT/PRUNE), {@link Gossip}
 * (IHAVE/IWANT), {@link PeerExchange} and {@link BackoffTable}, with {@link PeerScore} scoring.
 *
 * <p>Threading: all router state lives on one thread (an executor owned by the router); streams
 * complete on I/O threads and hop onto it. Signatures are checked on a pool of verifier threads.
 * Subscriber handlers run on a separate delivery thread so a slow subscriber never stalls routing.
 * At the end of every router task the output it produced is framed and written, one batch per peer.
 *
 * <p>New peers: every heartbeat the router looks at {@link Host#connections()} and opens a pubsub
 * stream to each new peer whose identify info lists one of its protocols (or whose identify info
 * is not known yet). A peer that opens a pubsub stream to us gets one back at once.
 */
public final class GossipRouter implements PubSub, AutoCloseable {

    public static final String MESHSUB_12 = "/meshsub/1.2.0";
    public static final String MESHSUB_11 = "/meshsub/1.1.0";
    public static final String MESHSUB_10 = "/meshsub/1.0.0";
    public static final String FLOODSUB = "/floodsub/1.0.0";
    /** In order of preference. */
    public static final List<String> PROTOCOLS = List.of(MESHSUB_12, MESHSUB_11, MESHSUB_10, FLOODSUB);

    private static final System.Logger LOG = System.getLogger(GossipRouter.class.getName());
    private static final int MAX_TOPICS_PER_PEER = 1000;

    /** Counters for tests, shells and benchmarks. */
    public record Stats(long delivered, long published, long duplicates, long invalid, long ignored,
            long graylistedRpcs, long ihaveIgnored, long brokenPromises, long graftsInBackoff, long replays,
            long droppedOutbound, long malformedRpcs, long forwarded, long iwantServed, long iwantAsked,
            long dontWantSent, long dontWantSkipped) {
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

    private final Identity identity;
    private final PeerId self;
    private final byte[] selfBytes;
    private volatile RouterParams params;
    private final LongSupplier nanos;
    private final ScheduledExecutorService executor;
    private final ExecutorService delivery;
    /** Null when the verifier threads are someone else's (shared by several routers). */
    private final ExecutorService ownVerifiers;
    private final AtomicLong seqno = new AtomicLong(System.currentTimeMillis() * 1_000_000L);
    private volatile boolean closed;

    // Router-thread state.
    private final PeerTable peers = new PeerTable();
    private final MessageCache mcache;
    private final SeenCache seen;
    private final PeerScore score;
    private final MeshMaintenance mesh;
    private final Gossip gossip;
    private final ValidationPipeline validation;
    private final PeerStreams streams;
    private final BackoffTable backoff;
    private final DontWant dontWant;
    private long heartbeats;

    private final Map<String, List<Sub>> subscriptions = new ConcurrentHashMap<>();
    private final RouterCounters counters = new RouterCounters();

    /**
     * Creates a router with its own verifier threads; {@link #start()} starts it.
     *
     * @param host the current host, read on each use (may return null while there is none)
     * @param identity signs our messages and verifies others'
     * @param validators the topic validators registered for a topic, read per message
     * @param nanos the clock ({@link System#nanoTime()} outside tests)
     */
    public GossipRouter(Supplier<Host> host, Identity identity, RouterParams params, ScoreParams scoreParams,
            Function<String, List<TopicValidator>> validators, LongSupplier nanos) {
        this(host, identity, params, scoreParams, validators, nanos, null);
    }

    /**
     * Creates a router; {@link #start()} starts it.
     *
     * @param verifiers where signatures are checked (may be shared by several routers; not shut
     *     down by {@link #close()}), or null for threads of the router's own
     */
    public GossipRouter(Supplier<Host> host, Identity identity, RouterParams params, ScoreParams scoreParams,
            Function<String, List<TopicValidator>> validators, LongSupplier nanos, Executor verifiers) {
        Objects.requireNonNull(host, "host");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.self = identity.peerId();
        this.selfBytes = self.bytes();
        this.params = params.validate();
        this.nanos = nanos;
        this.mcache = new MessageCache(params.historyLength(), params.historyGossip());
        this.seen = new SeenCache(params.seenTtl().toNanos());
        Map<String, Set<PeerId>> meshMap = new HashMap<>();
        this.score = new PeerScore(scoreParams.validate(), nanos, meshMap.keySet());
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
        if (verifiers == null) {
            int n = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
            AtomicLong count = new AtomicLong();
            this.ownVerifiers = Executors.newFixedThreadPool(n, r -> {
                Thread t = new Thread(r, name + "-verify-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            verifiers = ownVerifiers;
        } else {
            this.ownVerifiers = null;
        }
        Supplier<RouterParams> current = () -> this.params;
        Executor routerThread = this::execute;
        this.backoff = new BackoffTable(nanos);
        PeerExchange px = new PeerExchange(host, identity, peers);
        this.mesh = new MeshMaintenance(current, peers, score, backoff, px, counters, nanos, meshMap);
        this.dontWant = new DontWant(current, peers, counters);
        this.gossip = new Gossip(current, peers, score, mcache, seen, counters, nanos, dontWant);
        this.validation = new ValidationPipeline(current, identity, score, seen, gossip, counters, validators,
                mesh::subscribed, verifiers, routerThread, nanos, this::accepted,
                (id, wm, record) -> dontWant.announce(id, wm, mesh.mesh(wm.topic()), record.deliveredBy));
        this.streams = new PeerStreams(host, current, peers, score, counters, routerThread, () -> closed, nanos,
                new PeerStreams.Events() {
                    @Override
                    public void rpc(RouterPeer p, Rpc rpc) {
                        handleRpc(p, rpc);
                    }

                    @Override
                    public void activated(RouterPeer p) {
                        peerActivated(p);
                    }

                    @Override
                    public void deactivated(RouterPeer p) {
                        mesh.peerGone(p);
                    }
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
            execute(() -> {
                if (!closed) {
                    mesh.join(topic);
                }
            });
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

    private void leave(String topic) {
        synchronized (subscriptions) {
            if (subscriptions.containsKey(topic)) {
                return; // subscribed again meanwhile
            }
        }
        mesh.leave(topic);
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
            byte[] signature = ValidationPipeline.sign(identity, unsigned);
            // The key goes along only when the peer id cannot carry it (spec: "when it cannot be inlined").
            byte[] key = self.publicKey().isPresent() ? null : identity.publicKeyProtobuf();
            wm = new WireMessage(selfBytes, payload, seq, topic, signature, key);
            id = MessageId.fromAndSeqno(identity.publicKeyProtobuf(), seq);
        } else {
            wm = new WireMessage(null, payload, null, topic, null, null);
            id = MessageId.wrap(ValidationPipeline.sha256(payload));
        }
        if (wm.serializedSize() > p.maxMessageSize()) {
            return CompletableFuture.failedFuture(new PublishException("cannot publish on " + topic + ": the message is "
                    + wm.serializedSize() + " bytes, over the limit of " + p.maxMessageSize() + " bytes"));
        }
        Message message = ValidationPipeline.toMessage(id, wm, self, p.strictSign());
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        execute(() -> {
            SeenCache.Record r = seen.add(id, now(), topic);
            r.firstFrom = self;
            validation.validate(message).whenComplete((verdict, e) -> execute(() -> {
                if (verdict != ValidationResult.ACCEPT) {
                    r.status = verdict == ValidationResult.REJECT ? SeenCache.Status.INVALID : SeenCache.Status.IGNORED;
                    result.completeExceptionally(new PublishException("cannot publish on " + topic
                            + ": a local topic validator returned " + verdict));
                    return;
                }
                r.status = SeenCache.Status.VALID;
                r.validated = now();
                mcache.put(id, wm);
                counters.published++;
                deliverLocally(message);
                int n = 0;
                for (PeerId q : mesh.publishTargets(topic)) {
                    RouterPeer peer = peers.get(q);
                    if (peer != null && peer.active()) {
                        peer.outbound.messages.add(wm);
                        peers.dirty(peer);
                        n++;
                    }
                }
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
        return peers.snapshot(topic);
    }

    /** Identify described a peer: open the pubsub stream now if it speaks pubsub. Does not block. */
    public void peerIdentified(PeerId peer) {
        if (!closed) {
            execute(() -> streams.peerIdentified(peer, now()));
        }
    }

    // =============================================================================== inbound

    /** Takes an inbound pubsub stream (the ProtocolHandler entry point). Does not block. */
    public void handleInbound(Stream stream) {
        if (closed) {
            stream.reset();
            return;
        }
        execute(() -> streams.inbound(stream));
    }

    private void handleRpc(RouterPeer p, Rpc rpc) {
        if (closed) {
            return;
        }
        if (score.score(p.id) < score.params().graylistThreshold()) {
            counters.graylistedRpcs++;
            return;
        }
        for (SubOpts s : rpc.subscriptions()) {
            handleSubscription(p, s);
        }
        for (WireMessage m : rpc.publish()) {
            validation.handle(p, m);
        }
        Control c = rpc.control();
        if (c != null && !c.isEmpty() && p.meshsubOrUnknown()) {
            dontWant.handle(p, c.idontwant());
            gossip.handleIWant(p, c.iwant());
            gossip.handleIHave(p, c.ihave(), mesh::subscribed);
            mesh.handleGraft(p, c.graft());
            mesh.handlePrune(p, c.prune());
        }
    }

    private void handleSubscription(RouterPeer p, SubOpts s) {
        if (s.subscribe()) {
            if (p.topics.size() >= MAX_TOPICS_PER_PEER && !p.topics.contains(s.topic())) {
                return;
            }
            if (p.topics.add(s.topic()) && p.active()) {
                peers.index(p.id, s.topic());
            }
        } else if (p.topics.remove(s.topic())) {
            peers.unindex(p.id, s.topic());
            mesh.peerLeft(p, s.topic());
        }
    }

    /** A peer's outbound stream opened: it is scored, indexed, and hears our subscriptions. */
    private void peerActivated(RouterPeer p) {
        score.addPeer(p.id, p.ip);
        for (String t : p.topics) {
            peers.index(p.id, t);
        }
        for (String t : mesh.topics()) {
            p.outbound.subs.add(new SubOpts(true, t));
        }
        peers.dirty(p);
    }

    /** A message passed validation: cache it, deliver it, relay it to the mesh (not to who sent it). */
    private void accepted(MessageId id, WireMessage wm, Message message, SeenCache.Record record, PeerId author) {
        mcache.put(id, wm);
        counters.delivered++;
        deliverLocally(message);
        for (PeerId q : mesh.forwardTargets(wm.topic())) {
            if (record.deliveredBy.containsKey(q) || q.equals(author)) {
                continue; // it has the message already
            }
            RouterPeer p = peers.get(q);
            if (p != null && p.active() && !dontWant.unwanted(p, id)) {
                p.outbound.messages.add(wm);
                peers.dirty(p);
                counters.forwarded++;
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
        long now = now();
        gossip.heartbeat(now);
        dontWant.heartbeat();
        score.refresh();
        // Slack of one heartbeat (v1.1: wait the full backoff plus the offset until the next heartbeat).
        backoff.expire(now, Math.max(params.heartbeatInterval().toNanos(), TimeUnit.SECONDS.toNanos(1)));
        streams.pollConnections(now);

        Map<PeerId, Double> scores = new HashMap<>();
        Function<PeerId, Double> scoreOf = q -> scores.computeIfAbsent(q, score::score);
        for (String topic : List.copyOf(mesh.topics())) {
            mesh.maintain(topic, heartbeats, scoreOf);
            gossip.emit(topic, mesh.mesh(topic), scoreOf);
        }
        for (Map.Entry<String, Set<PeerId>> e : mesh.maintainFanout(now, scoreOf).entrySet()) {
            gossip.emit(e.getKey(), e.getValue(), scoreOf);
        }
        mcache.shift();
        seen.expire(now);
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
                streams.flush();
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

    static String ipOf(Multiaddr a) {
        return PeerStreams.ipOf(a);
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
        return counters.snapshot();
    }

    /** The mesh of a topic (router thread snapshot). */
    public CompletableFuture<Set<PeerId>> mesh(String topic) {
        return call(() -> Set.copyOf(mesh.mesh(topic)));
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
        return call(peers::protocols);
    }

    /** Messages from peers whose signature check or validation has not finished (router thread). */
    CompletableFuture<Integer> validating() {
        return call(() -> peers.all().stream().mapToInt(p -> p.validating).sum());
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
                streams.closeAll();
                peers.clear();
                done.complete(null);
            });
            done.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort
        }
        executor.shutdownNow();
        delivery.shutdown();
        if (ownVerifiers != null) {
            ownVerifiers.shutdownNow();
        }
    }
}
