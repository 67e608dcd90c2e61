package org.hyphae.discovery.peerstore.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.discovery.PeerDiscovery;
import org.hyphae.discovery.PeerRecord;
import org.hyphae.discovery.PeerStore;
import org.hyphae.identity.PeerId;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Connection;
import org.hyphae.transport.ConnectionListener;
import org.hyphae.transport.Direction;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.Ping;
import org.hyphae.transport.PeerInfo;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@link PeerStore} service. Every {@code pollSeconds} it reads every {@link PeerDiscovery}
 * source (at most {@code maxPeersPerSource} peers each), the host's connections (outbound ones give
 * an address that worked) and what identify said about connected peers, drops expired addresses,
 * and writes what changed to the {@link Datastore} in one batch. Connected peers that serve ping are
 * pinged every {@code pingSeconds} for their latency. On start, and when a datastore is bound or
 * swapped, the records in it are read back; entries that cannot be read are reported and skipped.
 * As a {@link ConnectionListener} it also reads the host as soon as a connection opens or closes
 * or a peer identifies itself (events coalesce into one read), so a new peer's addresses and
 * protocols are known at once rather than at the next poll.
 *
 * <p>No {@code @Designate}: bnd allows it only with one configuration PID, and this component also
 * reads the storage selection PID so that {@code datastore.target} picks the same store as the rest
 * of the node. {@link PeerStoreConfig} still types the configuration.
 */
@Component(service = {PeerStore.class, PeerStoreService.class, ConnectionListener.class}, immediate = true,
        configurationPid = {PeerStoreService.PID, BlockStore.SELECTION_PID})
public final class PeerStoreService implements PeerStore, ConnectionListener {

    public static final String PID = "org.hyphae.discovery.peerstore";
    private static final System.Logger LOG = System.getLogger(PeerStoreService.class.getName());

    private final Host host;
    private final PeerBook book;
    private final ScheduledExecutorService timer;
    private final Map<PeerDiscovery, String> sources = new ConcurrentHashMap<>();
    private final Map<String, String> lastSourceReport = new ConcurrentHashMap<>();
    private final Map<PeerId, PeerInfo> lastIdentify = new HashMap<>();
    private volatile Datastore datastore;
    private volatile Ping ping;
    private volatile PeerStoreConfig config;
    private volatile List<String> corruptEntries = List.of();
    /** A read of the host asked for by connection events and not yet run: events coalesce. */
    private final AtomicBoolean hostReadQueued = new AtomicBoolean();
    private ScheduledFuture<?> pollTask;
    private ScheduledFuture<?> pingTask;

    @Activate
    public PeerStoreService(@Reference Host host, PeerStoreConfig config) {
        this.host = host;
        this.config = config;
        this.book = new PeerBook(host.localPeer(), limits(config), System::currentTimeMillis);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyphae-peerstore");
            t.setDaemon(true);
            return t;
        });
        Datastore ds = datastore;
        if (ds != null) {
            timer.execute(() -> loadFrom(ds));
        }
        schedule(config);
    }

    @Modified
    void modified(PeerStoreConfig c) {
        config = c;
        book.limits(limits(c));
        schedule(c);
    }

    private synchronized void schedule(PeerStoreConfig c) {
        if (pollTask != null) {
            pollTask.cancel(false);
        }
        if (pingTask != null) {
            pingTask.cancel(false);
            pingTask = null;
        }
        long poll = Math.max(1, c.pollSeconds());
        pollTask = timer.scheduleWithFixedDelay(this::pollSafely, 0, poll, TimeUnit.SECONDS);
        if (c.pingSeconds() > 0) {
            pingTask = timer.scheduleWithFixedDelay(this::pingConnected, c.pingSeconds(), c.pingSeconds(),
                    TimeUnit.SECONDS);
        }
    }

    private static PeerBook.Limits limits(PeerStoreConfig c) {
        return new PeerBook.Limits(Math.max(1, c.maxPeers()), Math.max(1, c.maxAddressesPerPeer()),
                Math.max(0, c.maxProtocols()), TimeUnit.MINUTES.toMillis(Math.max(1, c.scoreHalfLifeMinutes())));
    }

    /** Stops the polls and the pings and writes what changed (DS deactivation; public for embedding). */
    @Deactivate
    public void deactivate() {
        synchronized (this) {
            pollTask.cancel(false);
            if (pingTask != null) {
                pingTask.cancel(false);
            }
        }
        // Not shutdownNow: interrupting a thread in FileChannel I/O closes the channel, and with it
        // the datastore's file for every other user of the store.
        timer.shutdown();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    // ---- references ----

    @Reference(name = Datastore.REFERENCE_NAME, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindDatastore(Datastore ds) {
        datastore = ds;
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.execute(() -> loadFrom(ds));
        }
    }

    void unbindDatastore(Datastore ds) {
        if (datastore == ds) {
            // What changed since the last poll goes to the store that is leaving.
            flushTo(ds);
            datastore = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPing(Ping p) {
        ping = p;
    }

    void unbindPing(Ping p) {
        if (ping == p) {
            ping = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSource(PeerDiscovery source, Map<String, Object> props) {
        sources.put(source, String.valueOf(props.getOrDefault(PeerDiscovery.SOURCE_PROPERTY, "unnamed")));
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.execute(() -> readSource(source, sources.get(source)));
        }
    }

    void unbindSource(PeerDiscovery source) {
        // What it reported stays until its addresses expire.
        sources.remove(source);
    }

    // ---- PeerStore ----

    @Override
    public int addAddresses(PeerId peer, List<Multiaddr> addresses, String source, Duration ttl) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(source, "source");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        PeerBook.Added added = book.addAddresses(peer, addresses, source, ttl.toMillis());
        if (!added.problems().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "peer store: from " + source + " for " + peer + ": kept "
                    + added.kept() + " of " + addresses.size() + " addresses; " + String.join("; ", added.problems()));
        }
        return added.kept();
    }

    @Override
    public boolean removeAddress(PeerId peer, Multiaddr address) {
        return book.removeAddress(peer, address);
    }

    @Override
    public void recordLatency(PeerId peer, Duration rtt) {
        book.recordLatency(peer, rtt.toNanos());
    }

    @Override
    public void penalize(PeerId peer, double points, String reason) {
        if (!(points > 0) || !Double.isFinite(points)) {
            throw new IllegalArgumentException("penalty must be positive and finite, got " + points);
        }
        if (book.penalize(peer, points)) {
            LOG.log(System.Logger.Level.INFO, "peer " + peer + " penalized by " + points + ": " + reason
                    + " (score now " + book.get(peer).map(r -> String.format("%.2f", r.score())).orElse("?") + ")");
        }
    }

    @Override
    public Optional<PeerRecord> get(PeerId peer) {
        return book.get(peer);
    }

    @Override
    public List<PeerRecord> peers() {
        return book.records();
    }

    @Override
    public boolean remove(PeerId peer) {
        return book.remove(peer);
    }

    // ---- for the shell ----

    /** What was refused, dropped or evicted so far. */
    public PeerBook.Counters counters() {
        return book.counters();
    }

    /** The datastore entries the last load could not read, each with its key and what is wrong. */
    public List<String> corruptEntries() {
        return corruptEntries;
    }

    /** The configured maximum number of peers. */
    public int maxPeers() {
        return book.limits().maxPeers();
    }

    /** Reads every source and the host, then writes changes; for tests and the shell. */
    public void pollNow() throws Exception {
        timer.submit(this::pollSafely).get(30, TimeUnit.SECONDS);
    }

    // ---- connection events: the host is read at once rather than at the next poll ----

    @Override
    public void connected(Connection connection) {
        hostChanged();
    }

    @Override
    public void identified(PeerInfo info) {
        hostChanged();
    }

    @Override
    public void disconnected(Connection connection) {
        hostChanged();
    }

    private void hostChanged() {
        if (hostReadQueued.compareAndSet(false, true)) {
            try {
                timer.execute(() -> {
                    hostReadQueued.set(false);
                    try {
                        readHost();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "peer store: reading the host's connections failed: " + e, e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                hostReadQueued.set(false); // deactivated: the last poll and flush have run
            }
        }
    }

    // ---- the work, on the timer thread ----

    private void pollSafely() {
        try {
            readHost();
            for (Map.Entry<PeerDiscovery, String> s : sources.entrySet()) {
                readSource(s.getKey(), s.getValue());
            }
            book.sweep();
            flush();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "peer store poll failed: " + e, e);
        }
    }

    private void readHost() {
        long ttl = TimeUnit.SECONDS.toMillis(config.addressTtlSeconds());
        Set<PeerId> connected = new HashSet<>();
        for (Connection c : host.connections()) {
            PeerId p = c.remotePeer();
            connected.add(p);
            if (c.direction() == Direction.OUTBOUND) {
                // An inbound connection's remote port is the peer's ephemeral one: not dialable.
                book.addAddresses(p, List.of(c.remoteAddress()), SOURCE_CONNECTION, ttl);
            } else {
                book.addAddresses(p, List.of(), SOURCE_CONNECTION, ttl);
            }
        }
        for (PeerId p : connected) {
            Optional<PeerInfo> info = host.peerInfo(p);
            if (info.isPresent() && !info.get().equals(lastIdentify.get(p))) {
                PeerInfo i = info.get();
                PeerBook.Added added = book.identified(p, i.listenAddresses(), i.protocols(), i.agentVersion(), ttl);
                if (!added.problems().isEmpty()) {
                    LOG.log(System.Logger.Level.DEBUG, "identify of " + p + ": " + String.join("; ", added.problems()));
                }
                lastIdentify.put(p, i);
            }
        }
        lastIdentify.keySet().retainAll(connected);
        book.connected(connected);
    }

    private void readSource(PeerDiscovery source, String name) {
        if (name == null) {
            return;
        }
        List<PeerAddresses> offered;
        try {
            offered = source.peers();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "discovery source " + name + " failed: " + e, e);
            return;
        }
        PeerStoreConfig c = config;
        long ttl = TimeUnit.SECONDS.toMillis(c.addressTtlSeconds());
        int limit = Math.max(0, c.maxPeersPerSource());
        int taken = 0;
        int addresses = 0;
        int kept = 0;
        String example = null;
        for (PeerAddresses p : offered) {
            if (taken >= limit) {
                break;
            }
            if (p.peer().equals(host.localPeer())) {
                continue;
            }
            taken++;
            addresses += p.addresses().size();
            PeerBook.Added added = book.addAddresses(p.peer(), p.addresses(), name, ttl);
            kept += added.kept();
            if (example == null && !added.problems().isEmpty()) {
                example = p.peer() + ": " + added.problems().get(0);
            }
        }
        if (offered.size() > limit || kept < addresses) {
            String report = "discovery source " + name + " offered " + offered.size() + " peers"
                    + (offered.size() > limit ? " (read the first " + limit + ", maxPeersPerSource)" : "")
                    + "; kept " + kept + " of their " + addresses + " addresses" + (example == null ? "" : "; e.g. " + example);
            // Said once per change, not every poll.
            if (!report.equals(lastSourceReport.put(name, report))) {
                LOG.log(System.Logger.Level.WARNING, report);
            }
        }
    }

    private void pingConnected() {
        Ping p = ping;
        if (p == null) {
            return;
        }
        int sent = 0;
        for (Connection c : host.connections()) {
            PeerId peer = c.remotePeer();
            Optional<PeerInfo> info = host.peerInfo(peer);
            if (info.isEmpty() || !info.get().protocols().contains(Ping.PROTOCOL) || sent++ >= 64) {
                continue;
            }
            try {
                p.ping(peer).whenComplete((rtt, e) -> {
                    if (e == null) {
                        book.recordLatency(peer, rtt.toNanos());
                    }
                });
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "ping " + peer + ": " + e);
            }
        }
    }

    private void loadFrom(Datastore ds) {
        try {
            StoredPeers.Loaded loaded = StoredPeers.load(ds, book);
            corruptEntries = List.copyOf(loaded.corrupt());
            for (String problem : loaded.corrupt()) {
                LOG.log(System.Logger.Level.WARNING, "peer store: skipped " + problem);
            }
            LOG.log(System.Logger.Level.INFO, "peer store: read " + loaded.loaded() + " peers from the datastore"
                    + (loaded.corrupt().isEmpty() ? "" : ", skipped " + loaded.corrupt().size() + " unreadable entries"));
            // A new store gets every record, not only those that change later.
            book.markAllChanged();
            flushTo(ds);
        } catch (StorageException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "peer store: could not read the datastore: " + e.getMessage(), e);
        }
    }

    private void flush() {
        Datastore ds = datastore;
        if (ds != null) {
            flushTo(ds);
        }
    }

    private void flushTo(Datastore ds) {
        PeerBook.Changes changes = book.drainChanges();
        try {
            StoredPeers.write(ds, changes);
        } catch (StorageException | RuntimeException e) {
            book.requeue(changes);
            LOG.log(System.Logger.Level.WARNING, "peer store: could not write " + changes.changed().size()
                    + " peers to the datastore (will retry): " + e.getMessage());
        }
    }
}
