package org.hyphae.discovery.kad.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

import com.google.protobuf.InvalidProtocolBufferException;

import org.hyphae.discovery.InvalidRecordException;
import org.hyphae.discovery.PeerAddresses;
import org.hyphae.discovery.RecordValidator;
import org.hyphae.identity.PeerId;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;
import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.LengthPrefixed;
import org.hyphae.transport.streamio.StreamReader;

/**
 * The Kademlia DHT of the libp2p kad-dht spec over {@code /ipfs/kad/1.0.0}: the client side
 * (iterative {@link Lookup}s, values with a quorum in {@link ValueQuery}, providers), with the
 * server side in {@link KadServer} and routing-table admission in {@link BucketMaintenance}.
 *
 * <p>Only peers that answered a query, or that identify says serve the protocol, enter the routing
 * table: peers merely named in a response (possibly garbage, possibly unreachable) are tried in
 * the lookup that learned them and otherwise forgotten. A response that breaks the protocol (not
 * decodable, oversized, more than {@link #MAX_CLOSER_PEERS} closer peers, a peer with more than
 * {@link #MAX_ADDRESSES_ACCEPTED} addresses, an id that is no peer id) is refused whole and its
 * sender penalized through {@link PeerPenalty}: dropped from the table and kept out for a while.
 *
 * <p>Nothing here blocks: every network step is a {@link CompletionStage}. Datastore writes run on
 * the caller's thread (the handler's callback thread, or the API caller).
 */
public final class KadDht {

    private static final System.Logger LOG = System.getLogger(KadDht.class.getName());

    public static final String PROTOCOL = "/ipfs/kad/1.0.0";
    /** The largest message accepted or sent (go-libp2p's and js-libp2p's limit). */
    public static final int MAX_MESSAGE = 4 * 1024 * 1024;
    public static final long PROVIDER_TTL_MS = TimeUnit.HOURS.toMillis(48);
    public static final long PROVIDER_REPUBLISH_MS = TimeUnit.HOURS.toMillis(22);
    public static final long RECORD_TTL_MS = TimeUnit.HOURS.toMillis(36);
    /** Closer peers one response may name (the spec says k; twice that leaves room for other k's). */
    static final int MAX_CLOSER_PEERS = 40;
    /** Addresses one peer entry may carry before the whole response is refused. */
    static final int MAX_ADDRESSES_ACCEPTED = 64;
    /** Records this node wants before it stops a get early (js-libp2p's GET_MANY_RECORD_COUNT, go's old default). */
    public static final int DEFAULT_QUORUM = 16;
    /** The deepest bucket the refresh looks up random keys in (go-libp2p's maxCplForRefresh). */
    static final int MAX_REFRESH_CPL = 15;
    /** How long a penalized peer stays out, per offence. */
    public static final long PENALTY_MS = TimeUnit.MINUTES.toMillis(10);

    /** Settings. */
    public record Settings(int k, int alpha, long queryTimeoutMs, boolean clientMode, int quorum) {
        public Settings(int k, int alpha, long queryTimeoutMs, boolean clientMode) {
            this(k, alpha, queryTimeoutMs, clientMode, DEFAULT_QUORUM);
        }

        public static Settings defaults() {
            return new Settings(20, 3, 10_000, false, DEFAULT_QUORUM);
        }
    }

    /** A peer lookup with its figures: whether the peer was found, at which hop, after how many queries. */
    public record PeerTrace(Optional<PeerAddresses> found, int hops, int queried) {
    }

    private final Host host;
    private volatile Settings settings;
    private final RoutingTable table;
    private final RecordStore store;
    private final Function<String, RecordValidator> validators;
    private final Executor executor;
    private final LongSupplier clock;
    private final PeerPenalty penalty;
    private final KadServer server = new KadServer(this);
    private final BucketMaintenance maintenance = new BucketMaintenance(this);
    private final ProviderQueries providers = new ProviderQueries(this);
    private final Map<PeerId, List<Multiaddr>> addressBook = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<PeerId, List<Multiaddr>> e) {
                    return size() > 10_000;
                }
            });
    private final AtomicLong badMessages = new AtomicLong();
    private volatile Consumer<Duration> lookupTimes = t -> { };

    /**
     * @param validators the validator of a namespace, or null if none; {@code pk} must be answered
     * @param executor runs lookup steps (never blocked on the network)
     */
    public KadDht(Host host, Settings settings, RecordStore store, Function<String, RecordValidator> validators,
            Executor executor, LongSupplier clock) {
        this(host, settings, store, validators, executor, clock, new LocalPenalties(PENALTY_MS, clock));
    }

    /** @param penalty where protocol violations are reported and who is kept out */
    public KadDht(Host host, Settings settings, RecordStore store, Function<String, RecordValidator> validators,
            Executor executor, LongSupplier clock, PeerPenalty penalty) {
        this.host = host;
        this.settings = settings;
        this.table = new RoutingTable(host.localPeer(), settings.k());
        this.store = store;
        this.validators = validators;
        this.executor = executor;
        this.clock = clock;
        this.penalty = penalty;
    }

    public RoutingTable routingTable() {
        return table;
    }

    public RecordStore store() {
        return store;
    }

    public Settings settings() {
        return settings;
    }

    /** Applies new settings to later lookups; the bucket size stays what the table was built with. */
    public void settings(Settings next) {
        this.settings = new Settings(table.k(), next.alpha(), next.queryTimeoutMs(), next.clientMode(), next.quorum());
    }

    BucketMaintenance maintenance() {
        return maintenance;
    }

    public PeerPenalty penalty() {
        return penalty;
    }

    /** This node's public key as the libp2p protobuf (inlined in Ed25519 peer ids). */
    public byte[] localPublicKey() {
        return host.localPeer().publicKeyProtobuf()
                .orElseThrow(() -> new IllegalStateException("this node's peer id does not inline its key"));
    }

    /** Messages refused so far (malformed, oversized, invalid records, garbage in answers). */
    public long badMessages() {
        return badMessages.get();
    }

    /** Serves an inbound {@code /ipfs/kad/1.0.0} stream: answers each request until the peer closes. */
    public void handle(Stream stream) {
        server.handle(stream);
    }

    KadMessage answer(PeerId from, KadMessage request) {
        return server.answer(from, request);
    }

    // ---------------------------------------------------------------- shared with the helpers

    Host host() {
        return host;
    }

    PeerId localPeer() {
        return host.localPeer();
    }

    Executor executor() {
        return executor;
    }

    long now() {
        return clock.getAsLong();
    }

    void countBadMessage() {
        badMessages.incrementAndGet();
    }

    /** Reports a protocol violation: the peer leaves the routing table and the penalty decides for how long. */
    void penalize(PeerId peer, String reason) {
        table.remove(peer);
        penalty.penalize(peer, reason);
    }

    /** A peer that talks to us enters the table only if identify says it serves kad, and only into room. */
    void noticeServer(PeerId peer) {
        Optional<PeerInfo> info = host.peerInfo(peer);
        if (info.isPresent() && info.get().protocols().contains(PROTOCOL) && !penalty.excluded(peer)) {
            table.add(peer, info.get().listenAddresses(), clock.getAsLong());
        }
    }

    /** Adds every connected peer that serves kad (per identify) to the routing table. */
    public void absorbConnectedPeers() {
        for (Connection c : host.connections()) {
            noticeServer(c.remotePeer());
        }
    }

    void learnAddresses(PeerId peer, List<Multiaddr> addrs) {
        if (addrs.isEmpty()) {
            return;
        }
        addressBook.merge(peer, List.copyOf(addrs), (a, b) -> {
            List<Multiaddr> m = new ArrayList<>(a);
            for (Multiaddr x : b) {
                if (!m.contains(x) && m.size() < RoutingTable.MAX_ADDRESSES) {
                    m.add(x);
                }
            }
            return List.copyOf(m);
        });
    }

    List<Multiaddr> knownAddresses(PeerId peer) {
        return addressBook.getOrDefault(peer, List.of());
    }

    /** The peer id in a response from {@code from}, or empty (and counted) if the bytes are none. */
    Optional<PeerId> peerIdOf(PeerId from, byte[] id) {
        try {
            return Optional.of(PeerId.fromBytes(id));
        } catch (RuntimeException e) {
            badMessages.incrementAndGet();
            return Optional.empty();
        }
    }

    List<Multiaddr> decodeAddresses(List<byte[]> raw) {
        List<Multiaddr> out = new ArrayList<>();
        for (byte[] b : raw) {
            if (out.size() >= RoutingTable.MAX_ADDRESSES) {
                break;
            }
            try {
                out.add(Multiaddr.decode(b).withoutPeerId());
            } catch (RuntimeException e) {
                badMessages.incrementAndGet();
            }
        }
        return out;
    }

    KadMessage.Peer toWire(PeerId peer, List<Multiaddr> addrs) {
        List<byte[]> bytes = new ArrayList<>();
        for (Multiaddr a : addrs) {
            bytes.add(a.withoutPeerId().bytes());
        }
        return new KadMessage.Peer(peer.bytes(), bytes, host.connections(peer).isEmpty() ? 0 : 1);
    }

    KadMessage putMessage(byte[] key, byte[] value) {
        return new KadMessage(KadMessage.Type.PUT_VALUE, key,
                new KadMessage.Record(key, value, RecordKeys.rfc3339(clock.getAsLong())), List.of(), List.of());
    }

    void validate(byte[] key, byte[] value) throws InvalidRecordException {
        RecordValidator v = validatorFor(key);
        if (v == null) {
            throw new InvalidRecordException("no record validator for the namespace of key " + RecordKeys.printable(key));
        }
        v.validate(key, value);
    }

    RecordValidator validatorFor(byte[] key) {
        String ns = RecordKeys.namespace(key);
        return ns == null ? null : validators.apply(ns);
    }

    // ---------------------------------------------------------------- client

    /** Connects to bootstrap peers, adds those that answer, and refreshes every bucket. */
    public CompletionStage<Integer> bootstrap(List<Multiaddr> peers) {
        List<CompletableFuture<Void>> dials = new ArrayList<>();
        for (Multiaddr a : peers) {
            Optional<PeerId> id = a.peerId();
            if (id.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "bootstrap address without /p2p/<id> ignored: " + a);
                continue;
            }
            addressBook.put(id.get(), List.of(a.withoutPeerId()));
            dials.add(request(id.get(), KadMessage.request(KadMessage.Type.FIND_NODE, host.localPeer().bytes()), true)
                    .handle((r, e) -> null).toCompletableFuture().thenApply(x -> null));
        }
        return CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new))
                .thenCompose(v -> refresh()).thenApply(v -> table.size());
    }

    /** Refreshes every bucket (as at start): {@link #refresh(long)} with no bucket counted as fresh. */
    public CompletionStage<Void> refresh() {
        return refresh(0);
    }

    /**
     * Refreshes the table (go-libp2p and js-libp2p's per-bucket refresh): a lookup of this node's own
     * id (fills the closest buckets), then, for each bucket up to the deepest non-empty one plus one
     * (at most {@value #MAX_REFRESH_CPL}) that no lookup targeted for {@code staleAfterMs}, a lookup of
     * a random key in that bucket. The lookups run one after another.
     *
     * @return completes when every lookup has ended
     */
    public CompletionStage<Void> refresh(long staleAfterMs) {
        absorbConnectedPeers();
        CompletionStage<?> chain = closestPeers(host.localPeer().bytes());
        return chain.thenCompose(x -> {
            List<Integer> stale = table.staleBuckets(clock.getAsLong(), staleAfterMs, MAX_REFRESH_CPL);
            CompletionStage<?> next = CompletableFuture.completedFuture(null);
            for (int cpl : stale) {
                next = next.thenCompose(y -> closestPeers(
                        KadKey.randomInBucket(table.selfKey(), cpl, ThreadLocalRandom.current())));
            }
            return next;
        }).thenApply(x -> null);
    }

    /** The {@code k} peers closest to {@code key} that answered (FIND_NODE lookup). */
    public CompletionStage<List<PeerAddresses>> closestPeers(byte[] key) {
        return lookup(key, KadMessage.request(KadMessage.Type.FIND_NODE, key), (p, m) -> false)
                .thenApply(Lookup.Outcome::closest);
    }

    public CompletionStage<Optional<PeerAddresses>> findPeer(PeerId peer) {
        if (peer.equals(host.localPeer())) {
            return CompletableFuture.completedFuture(Optional.of(new PeerAddresses(peer, host.listenAddresses())));
        }
        Optional<PeerAddresses> known = table.find(peer).filter(p -> !p.addresses().isEmpty());
        if (known.isPresent()) {
            return CompletableFuture.completedFuture(known);
        }
        return findPeerTraced(peer).thenApply(PeerTrace::found);
    }

    /**
     * A FIND_NODE lookup for {@code peer} that does not answer from the routing table: it ends as
     * soon as the peer answers or an answer names it with addresses.
     */
    public CompletionStage<PeerTrace> findPeerTraced(PeerId peer) {
        AtomicReference<PeerAddresses> found = new AtomicReference<>();
        byte[] key = peer.bytes();
        return lookup(key, KadMessage.request(KadMessage.Type.FIND_NODE, key), (from, m) -> {
            if (from.equals(peer)) {
                found.set(new PeerAddresses(peer, addressBook.getOrDefault(peer, List.of())));
                return true;
            }
            for (KadMessage.Peer p : m.closerPeers()) {
                if (java.util.Arrays.equals(p.id(), key) && !p.addrs().isEmpty()) {
                    found.set(new PeerAddresses(peer, decodeAddresses(p.addrs())));
                    return true;
                }
            }
            return false;
        }).thenApply(o -> new PeerTrace(Optional.ofNullable(found.get()), o.stopHop(), o.queried()));
    }

    /** Stores this node as a provider of {@code multihash} and announces it to the {@code k} closest peers. */
    public CompletionStage<Void> provide(byte[] multihash) {
        return providers.provide(multihash);
    }

    /** Announces again every key provided more than {@link #PROVIDER_REPUBLISH_MS} ago, and expires old records. */
    public void republish() {
        providers.republish();
    }

    /** Up to {@code max} providers of {@code multihash}: local records first, then a GET_PROVIDERS lookup. */
    public CompletionStage<List<PeerAddresses>> findProviders(byte[] multihash, int max) {
        return providers.find(multihash, max);
    }

    public CompletionStage<Void> put(byte[] key, byte[] value) {
        long now = clock.getAsLong();
        try {
            validate(key, value);
            store.putValue(key, value, RecordKeys.rfc3339(now), now + RECORD_TTL_MS);
        } catch (InvalidRecordException | StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
        KadMessage msg = putMessage(key, value);
        return closestPeers(key).thenCompose(peers -> {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (PeerAddresses p : peers) {
                sends.add(request(p.peer(), msg, true).toCompletableFuture().exceptionally(e -> Optional.empty()));
            }
            return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
        });
    }

    /** The best record for {@code key} by the settings' quorum (see {@link ValueQuery}). */
    public CompletionStage<Optional<byte[]>> get(byte[] key) {
        return getWithQuorum(key, settings.quorum()).thenApply(ValueQuery.Result::best);
    }

    CompletionStage<ValueQuery.Result> getWithQuorum(byte[] key, int quorum) {
        return new ValueQuery(this, key, quorum).run();
    }

    // ---------------------------------------------------------------- plumbing

    /** Connects to a peer: an open connection, or each known address in turn. */
    private CompletionStage<Connection> dial(PeerId peer) {
        List<Connection> open = host.connections(peer);
        if (!open.isEmpty()) {
            return CompletableFuture.completedFuture(open.get(0));
        }
        List<Multiaddr> addrs = new ArrayList<>(addressBook.getOrDefault(peer, List.of()));
        table.find(peer).ifPresent(p -> addrs.addAll(p.addresses()));
        if (addrs.isEmpty()) {
            return CompletableFuture.failedFuture(new IOException("no known address for " + peer));
        }
        int[] next = {0};
        IOException[] last = {null};
        return AsyncLoop.run(() -> {
            if (next[0] >= addrs.size() || next[0] >= RoutingTable.MAX_ADDRESSES) {
                throw new CompletionException(new IOException(
                        "could not connect to " + peer + " on any of " + addrs.size() + " addresses"
                        + (last[0] == null ? "" : ": " + last[0].getMessage())));
            }
            Multiaddr a = addrs.get(next[0]++).withPeerId(peer);
            return host.connect(a).handle((c, e) -> {
                if (e != null) {
                    Throwable t = AsyncLoop.unwrap(e);
                    last[0] = t instanceof IOException io ? io : new IOException(t);
                    return Optional.<Connection>empty();
                }
                return Optional.of(c);
            });
        });
    }

    /**
     * Sends one request on a new stream and reads the answer. A peer that answers is offered to the
     * routing table; one that fails is marked; one whose answer breaks the protocol is penalized.
     */
    CompletionStage<Optional<KadMessage>> request(PeerId peer, KadMessage message, boolean expectResponse) {
        return request(peer, message, expectResponse, false);
    }

    /**
     * @param evenIfExcluded send even to a penalized peer (the correction of a record it holds: the
     *        network converges on the best record even where a bad one was planted)
     */
    CompletionStage<Optional<KadMessage>> request(PeerId peer, KadMessage message, boolean expectResponse,
            boolean evenIfExcluded) {
        if (!evenIfExcluded && penalty.excluded(peer)) {
            return CompletableFuture.failedFuture(new IOException("kad peer " + peer + " is penalized"));
        }
        AtomicReference<Stream> opened = new AtomicReference<>();
        CompletableFuture<Optional<KadMessage>> result = dial(peer)
                .thenCompose(c -> c.newStream(List.of(PROTOCOL)))
                .thenCompose(stream -> {
                    opened.set(stream);
                    CompletionStage<Optional<KadMessage>> exchange = stream.write(LengthPrefixed.frame(message.encode()))
                            .thenCompose(v -> {
                        if (!expectResponse) {
                            return CompletableFuture.completedFuture(Optional.<KadMessage>empty());
                        }
                        StreamReader reader = new StreamReader(stream);
                        return reader.readLengthPrefixed(MAX_MESSAGE).thenApply(body -> {
                            if (body.isEmpty()) {
                                throw new CompletionException(new IOException(
                                        "kad peer " + peer + " closed the stream without answering"));
                            }
                            try {
                                KadMessage answer = KadMessage.decode(body.get());
                                checkAnswer(peer, answer);
                                return Optional.of(answer);
                            } catch (InvalidProtocolBufferException e) {
                                throw new CompletionException(new KadProtocolViolation(
                                        "malformed kad answer from " + peer + ": " + e.getMessage(), e));
                            } catch (KadProtocolViolation e) {
                                throw new CompletionException(e);
                            }
                        });
                    });
                    return exchange.whenComplete((r, e) -> {
                        if (e == null) {
                            stream.closeWrite();
                        } else {
                            stream.reset();
                        }
                    });
                }).toCompletableFuture().orTimeout(settings.queryTimeoutMs(), TimeUnit.MILLISECONDS);
        return result.whenComplete((r, e) -> {
            if (e != null && opened.get() != null) {
                opened.get().reset(); // a timed-out exchange must not keep its stream open
            }
            if (e == null) {
                maintenance.answered(peer, reachableAddresses(peer));
                return;
            }
            Throwable cause = AsyncLoop.unwrap(e);
            if (KadProtocolViolation.isPeersFault(cause)) {
                badMessages.incrementAndGet();
                penalize(peer, cause.getMessage());
            } else {
                table.failed(peer);
            }
        });
    }

    /** Refuses an answer that tries to flood the lookup or the address book. */
    private void checkAnswer(PeerId peer, KadMessage answer) throws KadProtocolViolation {
        if (answer.closerPeers().size() > MAX_CLOSER_PEERS) {
            throw new KadProtocolViolation("kad answer from " + peer + " names " + answer.closerPeers().size()
                    + " closer peers (at most " + MAX_CLOSER_PEERS + " accepted)");
        }
        List<KadMessage.Peer> named = new ArrayList<>(answer.closerPeers());
        named.addAll(answer.providerPeers());
        for (KadMessage.Peer p : named) {
            if (p.addrs().size() > MAX_ADDRESSES_ACCEPTED) {
                throw new KadProtocolViolation("kad answer from " + peer + " gives a peer " + p.addrs().size()
                        + " addresses (at most " + MAX_ADDRESSES_ACCEPTED + " accepted)");
            }
            if (peerIdOf(peer, p.id()).isEmpty()) {
                throw new KadProtocolViolation("kad answer from " + peer + " names a peer whose id is not a peer id ("
                        + p.id().length + " bytes)");
            }
        }
    }

    /** Where a peer that answered can be dialled: what identify said, then what others told, then the socket. */
    private List<Multiaddr> reachableAddresses(PeerId peer) {
        List<Multiaddr> addrs = new ArrayList<>(addressBook.getOrDefault(peer, List.of()));
        host.peerInfo(peer).ifPresent(i -> addrs.addAll(0, i.listenAddresses()));
        if (addrs.isEmpty()) {
            for (Connection c : host.connections(peer)) {
                if (c.direction() == Direction.OUTBOUND) {
                    addrs.add(c.remoteAddress());
                }
            }
        }
        return new ArrayList<>(new LinkedHashSet<>(addrs));
    }

    /**
     * Runs a {@link Lookup} for {@code key} from the {@code k} closest peers in the table.
     *
     * @param stop called with each answer; true ends the lookup
     */
    CompletionStage<Lookup.Outcome> lookup(byte[] key, KadMessage request, BiPredicate<PeerId, KadMessage> stop) {
        absorbConnectedPeers();
        KadKey target = KadKey.of(key);
        table.lookedUp(target, clock.getAsLong());
        Settings s = settings;
        List<PeerAddresses> seeds = table.closest(target, s.k());
        if (seeds.isEmpty()) {
            return CompletableFuture.completedFuture(new Lookup.Outcome(List.of(), 0, -1));
        }
        long start = System.nanoTime();
        Consumer<Duration> times = lookupTimes;
        return new Lookup(this, target, request, stop, s.k(), s.alpha()).start(seeds)
                .whenComplete((outcome, failure) -> times.accept(Duration.ofNanos(System.nanoTime() - start)));
    }

    /** Told how long each lookup took (for metrics); called on the thread that ends the lookup, so keep it quick. */
    public void lookupTimes(Consumer<Duration> listener) {
        lookupTimes = listener;
    }
}
