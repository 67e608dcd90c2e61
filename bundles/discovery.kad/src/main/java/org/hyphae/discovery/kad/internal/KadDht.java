package org.hyphae.discovery.kad.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.LongSupplier;

import com.google.protobuf.InvalidProtocolBufferException;

import org.hyphae.discovery.InvalidRecordException;
import org.hyphae.discovery.PeerAddresses;
import org.hyphae.discovery.RecordValidator;
import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.LengthPrefixed;
import org.hyphae.transport.streamio.StreamReader;
import org.hyphae.identity.PeerId;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;

/**
 * The Kademlia DHT of the libp2p kad-dht spec over {@code /ipfs/kad/1.0.0}: the server side
 * ({@link #handle(Stream)}, one request/response exchange per message, any number per stream) and
 * the client side (iterative lookups with {@code alpha} queries in flight, ending when the
 * {@code k} closest peers seen have all answered).
 *
 * <p>Only peers that answered a query, or that identify says serve the protocol, enter the routing
 * table: peers merely named in a response (possibly garbage, possibly unreachable) are tried in
 * the lookup that learned them and otherwise forgotten.
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
    /** Closer peers taken from one response; the rest are ignored. */
    static final int MAX_CLOSER_PEERS = 40;

    /** Settings. */
    public record Settings(int k, int alpha, long queryTimeoutMs, boolean clientMode) {
        public static Settings defaults() {
            return new Settings(20, 3, 10_000, false);
        }
    }

    private final Host host;
    private volatile Settings settings;
    private final RoutingTable table;
    private final RecordStore store;
    private final Function<String, RecordValidator> validators;
    private final Executor executor;
    private final LongSupplier clock;
    private final Map<PeerId, List<Multiaddr>> addressBook = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<PeerId, List<Multiaddr>> e) {
                    return size() > 10_000;
                }
            });
    /** Keys this node provides (multihash bytes, as hex) and when they were last announced. */
    private final Map<String, Long> provided = new ConcurrentHashMap<>();
    private final AtomicLong badMessages = new AtomicLong();

    /**
     * @param validators the validator of a namespace, or null if none; {@code pk} must be answered
     * @param executor runs lookup steps (never blocked on the network)
     */
    public KadDht(Host host, Settings settings, RecordStore store, Function<String, RecordValidator> validators,
            Executor executor, LongSupplier clock) {
        this.host = host;
        this.settings = settings;
        this.table = new RoutingTable(host.localPeer(), settings.k());
        this.store = store;
        this.validators = validators;
        this.executor = executor;
        this.clock = clock;
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
        this.settings = new Settings(table.k(), next.alpha(), next.queryTimeoutMs(), next.clientMode());
    }

    /** This node's public key as the libp2p protobuf (inlined in Ed25519 peer ids). */
    public byte[] localPublicKey() {
        return host.localPeer().publicKeyProtobuf()
                .orElseThrow(() -> new IllegalStateException("this node's peer id does not inline its key"));
    }

    /** Messages refused so far (malformed, oversized, invalid records). */
    public long badMessages() {
        return badMessages.get();
    }

    // ---------------------------------------------------------------- server

    /** Serves an inbound {@code /ipfs/kad/1.0.0} stream: answers each request until the peer closes. */
    public void handle(Stream stream) {
        PeerId from = stream.remotePeer();
        noticeServer(from);
        StreamReader reader = new StreamReader(stream);
        AsyncLoop.<Boolean>run(() -> reader.readLengthPrefixed(MAX_MESSAGE).thenCompose(body -> {
            if (body.isEmpty()) {
                return stream.closeWrite().thenApply(v -> Optional.of(true));
            }
            // Off the I/O thread: answering may write to the datastore, which syncs to disk.
            return CompletableFuture.supplyAsync(() -> {
                KadMessage request;
                try {
                    request = KadMessage.decode(body.get());
                } catch (InvalidProtocolBufferException e) {
                    throw new java.util.concurrent.CompletionException(new IOException(
                            reader.context() + ": malformed kad message: " + e.getMessage(), e));
                }
                return Optional.ofNullable(answer(from, request));
            }, executor).thenCompose(response -> response.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<Boolean>empty())
                    : write(stream, response.get()).thenApply(v -> Optional.<Boolean>empty()));
        })).whenComplete((v, e) -> {
            if (e != null) {
                badMessages.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "kad stream from " + from + " ended: " + AsyncLoop.unwrap(e).getMessage());
                stream.reset();
            }
        });
    }

    /** The answer to one request, or null if the request has none (ADD_PROVIDER). */
    KadMessage answer(PeerId from, KadMessage request) {
        long now = clock.getAsLong();
        byte[] key = request.key();
        switch (request.type()) {
            case PING:
                return KadMessage.request(KadMessage.Type.PING, new byte[0]);
            case FIND_NODE:
                return new KadMessage(KadMessage.Type.FIND_NODE, key, null, closerPeers(key, from), List.of());
            case GET_VALUE: {
                KadMessage.Record record = store.getValue(key, now)
                        .map(v -> new KadMessage.Record(v.key(), v.value(), v.timeReceived())).orElse(null);
                return new KadMessage(KadMessage.Type.GET_VALUE, key, record, closerPeers(key, from), List.of());
            }
            case PUT_VALUE: {
                KadMessage.Record r = request.record();
                if (r == null || !Arrays.equals(r.key(), key)) {
                    throw new java.util.concurrent.CompletionException(
                            new IOException("PUT_VALUE from " + from + " without a record for its key"));
                }
                try {
                    validate(r.key(), r.value());
                    store.putValue(r.key(), r.value(), rfc3339(now), now + RECORD_TTL_MS);
                } catch (InvalidRecordException | StorageException e) {
                    throw new java.util.concurrent.CompletionException(
                            new IOException("PUT_VALUE from " + from + " refused: " + e.getMessage(), e));
                }
                return request;
            }
            case GET_PROVIDERS: {
                List<KadMessage.Peer> providers = new ArrayList<>();
                for (RecordStore.Provider p : store.providers(key, now)) {
                    List<Multiaddr> addrs = p.addresses();
                    if (p.peer().equals(host.localPeer())) {
                        addrs = host.listenAddresses();
                    }
                    providers.add(toWire(p.peer(), addrs));
                }
                return new KadMessage(KadMessage.Type.GET_PROVIDERS, key, null, closerPeers(key, from), providers);
            }
            case ADD_PROVIDER: {
                for (KadMessage.Peer p : request.providerPeers()) {
                    if (!Arrays.equals(p.id(), from.bytes())) {
                        // Only a peer can announce itself (spec): others' ids are ignored.
                        continue;
                    }
                    try {
                        List<Multiaddr> addrs = decodeAddresses(p.addrs());
                        if (addrs.isEmpty()) {
                            addrs = host.peerInfo(from).map(PeerInfo::listenAddresses).orElse(List.of());
                        }
                        store.addProvider(key, from, addrs, now + PROVIDER_TTL_MS);
                    } catch (StorageException e) {
                        LOG.log(System.Logger.Level.WARNING, "could not store provider record from " + from, e);
                    }
                }
                return null;
            }
            default:
                throw new IllegalStateException("unreachable");
        }
    }

    private List<KadMessage.Peer> closerPeers(byte[] key, PeerId requester) {
        List<KadMessage.Peer> out = new ArrayList<>();
        for (PeerAddresses p : table.closest(KadKey.of(key), settings.k() + 1)) {
            if (!p.peer().equals(requester) && out.size() < settings.k()) {
                out.add(toWire(p.peer(), p.addresses()));
            }
        }
        return out;
    }

    private KadMessage.Peer toWire(PeerId peer, List<Multiaddr> addrs) {
        List<byte[]> bytes = new ArrayList<>();
        for (Multiaddr a : addrs) {
            bytes.add(a.withoutPeerId().bytes());
        }
        return new KadMessage.Peer(peer.bytes(), bytes, host.connections(peer).isEmpty() ? 0 : 1);
    }

    /** A peer that talks to us is added to the table only if identify says it serves kad. */
    private void noticeServer(PeerId peer) {
        Optional<PeerInfo> info = host.peerInfo(peer);
        if (info.isPresent() && info.get().protocols().contains(PROTOCOL)) {
            table.add(peer, info.get().listenAddresses(), clock.getAsLong());
        }
    }

    /** Adds every connected peer that serves kad (per identify) to the routing table. */
    public void absorbConnectedPeers() {
        for (Connection c : host.connections()) {
            noticeServer(c.remotePeer());
        }
    }

    // ---------------------------------------------------------------- client

    /** Connects to bootstrap peers, adds those that answer, and looks up this node's own id. */
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

    /**
     * Refreshes the table: a lookup of this node's own id (fills the closest buckets), then of a
     * random key (refreshes a far bucket; half of all random keys fall in bucket 0, a quarter in 1...).
     */
    public CompletionStage<Void> refresh() {
        absorbConnectedPeers();
        byte[] random = new byte[32];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(random);
        return closestPeers(host.localPeer().bytes()).thenCompose(x -> closestPeers(random)).thenApply(x -> null);
    }

    /** The {@code k} peers closest to {@code key} that answered (FIND_NODE lookup). */
    public CompletionStage<List<PeerAddresses>> closestPeers(byte[] key) {
        return lookup(key, KadMessage.request(KadMessage.Type.FIND_NODE, key), (p, m) -> false);
    }

    public CompletionStage<Optional<PeerAddresses>> findPeer(PeerId peer) {
        if (peer.equals(host.localPeer())) {
            return CompletableFuture.completedFuture(Optional.of(new PeerAddresses(peer, host.listenAddresses())));
        }
        Optional<PeerAddresses> known = table.find(peer).filter(p -> !p.addresses().isEmpty());
        if (known.isPresent()) {
            return CompletableFuture.completedFuture(known);
        }
        PeerAddresses[] found = {null};
        byte[] key = peer.bytes();
        return lookup(key, KadMessage.request(KadMessage.Type.FIND_NODE, key), (from, m) -> {
            if (from.equals(peer)) {
                found[0] = new PeerAddresses(peer, addressBook.getOrDefault(peer, List.of()));
                return true;
            }
            for (KadMessage.Peer p : m.closerPeers()) {
                if (Arrays.equals(p.id(), key) && !p.addrs().isEmpty()) {
                    found[0] = new PeerAddresses(peer, decodeAddresses(p.addrs()));
                    return true;
                }
            }
            return false;
        }).thenApply(closest -> {
            synchronized (found) {
                return Optional.ofNullable(found[0]);
            }
        });
    }

    public CompletionStage<Void> provide(byte[] multihash) {
        long now = clock.getAsLong();
        try {
            store.addProvider(multihash, host.localPeer(), List.of(), now + PROVIDER_TTL_MS);
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
        provided.put(java.util.HexFormat.of().formatHex(multihash), now);
        return closestPeers(multihash).thenCompose(peers -> {
            KadMessage msg = new KadMessage(KadMessage.Type.ADD_PROVIDER, multihash, null, List.of(),
                    List.of(toWire(host.localPeer(), host.listenAddresses())));
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (PeerAddresses p : peers) {
                sends.add(request(p.peer(), msg, false).toCompletableFuture().exceptionally(e -> Optional.empty()));
            }
            return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
        });
    }

    /** Announces again every key provided more than {@link #PROVIDER_REPUBLISH_MS} ago. */
    public void republish() {
        long now = clock.getAsLong();
        for (Map.Entry<String, Long> e : provided.entrySet()) {
            if (now - e.getValue() >= PROVIDER_REPUBLISH_MS) {
                provide(java.util.HexFormat.of().parseHex(e.getKey()));
            }
        }
        store.expire(now);
    }

    public CompletionStage<List<PeerAddresses>> findProviders(byte[] multihash, int max) {
        Map<PeerId, PeerAddresses> found = new LinkedHashMap<>();
        for (RecordStore.Provider p : store.providers(multihash, clock.getAsLong())) {
            List<Multiaddr> addrs = p.peer().equals(host.localPeer()) ? host.listenAddresses() : p.addresses();
            found.put(p.peer(), new PeerAddresses(p.peer(), addrs));
        }
        if (found.size() >= max) {
            return CompletableFuture.completedFuture(new ArrayList<>(found.values()).subList(0, max));
        }
        return lookup(multihash, KadMessage.request(KadMessage.Type.GET_PROVIDERS, multihash), (from, m) -> {
            synchronized (found) {
                for (KadMessage.Peer p : m.providerPeers()) {
                    try {
                        PeerId id = PeerId.fromBytes(p.id());
                        found.putIfAbsent(id, new PeerAddresses(id, decodeAddresses(p.addrs())));
                    } catch (RuntimeException e) {
                        badMessages.incrementAndGet();
                    }
                }
                return found.size() >= max;
            }
        }).thenApply(x -> {
            synchronized (found) {
                List<PeerAddresses> out = new ArrayList<>(found.values());
                return out.size() > max ? out.subList(0, max) : out;
            }
        });
    }

    public CompletionStage<Void> put(byte[] key, byte[] value) {
        long now = clock.getAsLong();
        try {
            validate(key, value);
            store.putValue(key, value, rfc3339(now), now + RECORD_TTL_MS);
        } catch (InvalidRecordException | StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
        KadMessage msg = new KadMessage(KadMessage.Type.PUT_VALUE, key,
                new KadMessage.Record(key, value, rfc3339(now)), List.of(), List.of());
        return closestPeers(key).thenCompose(peers -> {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (PeerAddresses p : peers) {
                sends.add(request(p.peer(), msg, true).toCompletableFuture().exceptionally(e -> Optional.empty()));
            }
            return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
        });
    }

    public CompletionStage<Optional<byte[]>> get(byte[] key) {
        Optional<RecordStore.StoredValue> local = store.getValue(key, clock.getAsLong());
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(Optional.of(local.get().value()));
        }
        List<byte[]> values = new ArrayList<>();
        return lookup(key, KadMessage.request(KadMessage.Type.GET_VALUE, key), (from, m) -> {
            KadMessage.Record r = m.record();
            if (r == null || !Arrays.equals(r.key(), key)) {
                return false;
            }
            try {
                validate(key, r.value());
            } catch (InvalidRecordException e) {
                badMessages.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "invalid record from " + from + ": " + e.getMessage());
                return false;
            }
            synchronized (values) {
                values.add(r.value());
            }
            return true;
        }).thenApply(x -> {
            synchronized (values) {
                if (values.isEmpty()) {
                    return Optional.<byte[]>empty();
                }
                RecordValidator v = validatorFor(key);
                int best = v == null ? 0 : v.select(key, List.copyOf(values));
                return Optional.of(values.get(best < 0 || best >= values.size() ? 0 : best));
            }
        });
    }

    // ---------------------------------------------------------------- plumbing

    void validate(byte[] key, byte[] value) throws InvalidRecordException {
        RecordValidator v = validatorFor(key);
        if (v == null) {
            throw new InvalidRecordException("no record validator for the namespace of key " + printable(key));
        }
        v.validate(key, value);
    }

    private RecordValidator validatorFor(byte[] key) {
        String ns = namespace(key);
        return ns == null ? null : validators.apply(ns);
    }

    /** The namespace of {@code /ns/rest}, or null if the key has none. */
    static String namespace(byte[] key) {
        if (key.length < 3 || key[0] != '/') {
            return null;
        }
        for (int i = 1; i < key.length; i++) {
            if (key[i] == '/') {
                return i == 1 ? null : new String(key, 1, i - 1, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    static String printable(byte[] key) {
        String ns = namespace(key);
        return ns == null ? java.util.HexFormat.of().formatHex(key) : "/" + ns + "/...(" + key.length + " bytes)";
    }

    /** RFC 3339 with nanoseconds, as go's RFC3339Nano and js-libp2p's record parser (which needs the fraction) have it. */
    static String rfc3339(long epochMs) {
        return RFC3339_NANO.format(Instant.ofEpochMilli(epochMs));
    }

    private static final java.time.format.DateTimeFormatter RFC3339_NANO = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private List<Multiaddr> decodeAddresses(List<byte[]> raw) {
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

    private static CompletionStage<Void> write(Stream stream, KadMessage message) {
        return stream.write(LengthPrefixed.frame(message.encode()));
    }

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
                throw new java.util.concurrent.CompletionException(new IOException(
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
     * Sends one request on a new stream and reads the answer. A peer that answers enters the routing
     * table; one that fails is marked.
     */
    CompletionStage<Optional<KadMessage>> request(PeerId peer, KadMessage message, boolean expectResponse) {
        java.util.concurrent.atomic.AtomicReference<Stream> opened = new java.util.concurrent.atomic.AtomicReference<>();
        CompletableFuture<Optional<KadMessage>> result = dial(peer)
                .thenCompose(c -> c.newStream(List.of(PROTOCOL)))
                .thenCompose(stream -> {
                    opened.set(stream);
                    CompletionStage<Optional<KadMessage>> exchange = write(stream, message).thenCompose(v -> {
                        if (!expectResponse) {
                            return CompletableFuture.completedFuture(Optional.<KadMessage>empty());
                        }
                        return new StreamReader(stream).readLengthPrefixed(MAX_MESSAGE).thenApply(body -> {
                            if (body.isEmpty()) {
                                throw new java.util.concurrent.CompletionException(new IOException(
                                        "kad peer " + peer + " closed the stream without answering"));
                            }
                            try {
                                return Optional.of(KadMessage.decode(body.get()));
                            } catch (InvalidProtocolBufferException e) {
                                badMessages.incrementAndGet();
                                throw new java.util.concurrent.CompletionException(new IOException(
                                        "malformed kad answer from " + peer + ": " + e.getMessage(), e));
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
                List<Multiaddr> addrs = new ArrayList<>(addressBook.getOrDefault(peer, List.of()));
                host.peerInfo(peer).ifPresent(i -> addrs.addAll(0, i.listenAddresses()));
                if (addrs.isEmpty()) {
                    for (Connection c : host.connections(peer)) {
                        if (c.direction() == org.hyphae.transport.Direction.OUTBOUND) {
                            addrs.add(c.remoteAddress());
                        }
                    }
                }
                table.add(peer, dedupe(addrs), clock.getAsLong());
            } else {
                table.failed(peer);
            }
        });
    }

    private static List<Multiaddr> dedupe(List<Multiaddr> addrs) {
        return new ArrayList<>(new java.util.LinkedHashSet<>(addrs));
    }

    /**
     * An iterative lookup (kad-dht spec): start from the {@code k} closest known peers, keep up to
     * {@code alpha} queries in flight to the closest not yet queried, add the closer peers each
     * answer names, and end when the {@code k} closest peers seen (not counting failed ones) have
     * all answered, or when {@code stop} says so.
     *
     * @return the closest peers that answered, closest first, at most {@code k}
     */
    CompletionStage<List<PeerAddresses>> lookup(byte[] key, KadMessage request, BiPredicate<PeerId, KadMessage> stop) {
        absorbConnectedPeers();
        Lookup l = new Lookup(KadKey.of(key), request, stop);
        List<PeerAddresses> seeds = table.closest(l.target, settings.k());
        if (seeds.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        synchronized (l) {
            for (PeerAddresses p : seeds) {
                l.add(p.peer(), p.addresses());
            }
        }
        l.step();
        return l.result;
    }

    private enum State { NEW, WAITING, ANSWERED, FAILED }

    private final class Lookup {
        final KadKey target;
        final KadMessage request;
        final BiPredicate<PeerId, KadMessage> stop;
        final Map<PeerId, Candidate> candidates = new HashMap<>();
        final List<Candidate> sorted = new ArrayList<>();
        final CompletableFuture<List<PeerAddresses>> result = new CompletableFuture<>();
        int inflight;
        boolean stopped;

        final class Candidate {
            final PeerId peer;
            final KadKey key;
            State state = State.NEW;

            Candidate(PeerId peer) {
                this.peer = peer;
                this.key = KadKey.of(peer.bytes());
            }
        }

        Lookup(KadKey target, KadMessage request, BiPredicate<PeerId, KadMessage> stop) {
            this.target = target;
            this.request = request;
            this.stop = stop;
        }

        /** Caller holds the monitor. */
        void add(PeerId peer, List<Multiaddr> addrs) {
            if (peer.equals(host.localPeer()) || candidates.containsKey(peer)) {
                return;
            }
            if (!addrs.isEmpty()) {
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
            Candidate c = new Candidate(peer);
            candidates.put(peer, c);
            int i = 0;
            while (i < sorted.size() && target.compareDistance(sorted.get(i).key, c.key) <= 0) {
                i++;
            }
            sorted.add(i, c);
        }

        void step() {
            List<Candidate> launch = new ArrayList<>();
            synchronized (this) {
                if (result.isDone()) {
                    return;
                }
                int seen = 0;
                boolean allAnswered = true;
                for (Candidate c : sorted) {
                    if (c.state == State.FAILED) {
                        continue;
                    }
                    if (seen++ >= settings.k()) {
                        break;
                    }
                    if (c.state != State.ANSWERED) {
                        allAnswered = false;
                    }
                    if (c.state == State.NEW && inflight + launch.size() < settings.alpha() && !stopped) {
                        launch.add(c);
                    }
                }
                if (stopped || allAnswered || (launch.isEmpty() && inflight == 0)) {
                    finish();
                    return;
                }
                for (Candidate c : launch) {
                    c.state = State.WAITING;
                    inflight++;
                }
            }
            for (Candidate c : launch) {
                executor.execute(() -> query(c));
            }
        }

        void query(Candidate c) {
            request(c.peer, request, true).whenComplete((answer, error) -> {
                synchronized (this) {
                    inflight--;
                    if (error != null || answer.isEmpty()) {
                        c.state = State.FAILED;
                    } else {
                        c.state = State.ANSWERED;
                        KadMessage m = answer.get();
                        int taken = 0;
                        for (KadMessage.Peer p : m.closerPeers()) {
                            if (taken++ >= MAX_CLOSER_PEERS) {
                                break;
                            }
                            try {
                                add(PeerId.fromBytes(p.id()), decodeAddresses(p.addrs()));
                            } catch (RuntimeException e) {
                                badMessages.incrementAndGet();
                            }
                        }
                        try {
                            if (stop.test(c.peer, m)) {
                                stopped = true;
                            }
                        } catch (RuntimeException e) {
                            LOG.log(System.Logger.Level.WARNING, "lookup callback failed", e);
                        }
                    }
                }
                step();
            });
        }

        /** Caller holds the monitor. */
        void finish() {
            List<PeerAddresses> out = new ArrayList<>();
            for (Candidate c : sorted) {
                if (c.state == State.ANSWERED && out.size() < settings.k()) {
                    out.add(new PeerAddresses(c.peer, addressBook.getOrDefault(c.peer, List.of())));
                }
            }
            result.complete(out);
        }
    }
}
