package org.hyphae.discovery.kad.internal.service;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.hyphae.discovery.ContentRouting;
import org.hyphae.discovery.PeerAddresses;
import org.hyphae.discovery.PeerDiscovery;
import org.hyphae.discovery.PeerStore;
import org.hyphae.discovery.PeerRouting;
import org.hyphae.discovery.RecordValidator;
import org.hyphae.discovery.RoutingTableView;
import org.hyphae.discovery.ValueStore;
import org.hyphae.discovery.kad.internal.KadDht;
import org.hyphae.discovery.kad.internal.LocalPenalties;
import org.hyphae.discovery.kad.internal.ScoredPenalties;
import org.hyphae.metrics.DurationRecorder;
import org.hyphae.discovery.kad.internal.PublicKeyValidator;
import org.hyphae.discovery.kad.internal.RecordStore;
import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.ProtocolHandler;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;


/**
 * The DHT as services: {@link PeerRouting}, {@link ContentRouting}, {@link ValueStore}, a
 * {@link PeerDiscovery} source ({@code kad}), and in server mode the {@code /ipfs/kad/1.0.0}
 * {@link ProtocolHandler}. Record validators are a whiteboard keyed by
 * {@value RecordValidator#NAMESPACE_PROPERTY}; {@code pk} is built in. A configuration change
 * (client/server mode, k, alpha) restarts the component: the routing table is rebuilt from the
 * connected peers and bootstrap list, and stored records survive through the datastore.
 */
@Component(service = {KadService.class, PeerRouting.class, ContentRouting.class, ValueStore.class, PeerDiscovery.class,
        RoutingTableView.class},
        configurationPid = {KadService.PID, BlockStore.SELECTION_PID}, property = PeerDiscovery.SOURCE_PROPERTY + "=kad")

public final class KadService implements PeerRouting, ContentRouting, ValueStore, PeerDiscovery, RoutingTableView {

    public static final String PID = "org.hyphae.discovery.kad";
    private static final System.Logger LOG = System.getLogger(KadService.class.getName());

    private final Host host;
    private final ScheduledExecutorService timer;
    private final Map<String, RecordValidator> validators = new ConcurrentHashMap<>();
    private final RecordValidator builtinPk = new PublicKeyValidator();
    private volatile Datastore datastore;
    private volatile KadDht dht;
    private final BundleContext context;
    private ServiceRegistration<ProtocolHandler> handler;
    private List<Multiaddr> bootstrapped = List.of();


    @Reference(name = Datastore.REFERENCE_NAME, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindDatastore(Datastore ds) {
        datastore = ds;
        KadDht d = dht;
        if (d != null) {
            loadInto(d.store(), ds);
        }
    }

    void unbindDatastore(Datastore ds) {
        if (datastore == ds) {
            datastore = null;
        }
    }

    /** Where DHT offences also lower a peer's score, if a peer store runs. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PeerStore peerStore;

    /** Where lookup times go (the metrics bundle), if it runs. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DurationRecorder durations;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindValidator(RecordValidator v, Map<String, Object> props) {
        Object ns = props.get(RecordValidator.NAMESPACE_PROPERTY);
        if (ns != null) {
            validators.put(ns.toString(), v);
        }
    }

    void unbindValidator(RecordValidator v, Map<String, Object> props) {
        Object ns = props.get(RecordValidator.NAMESPACE_PROPERTY);
        if (ns != null) {
            validators.remove(ns.toString(), v);
        }
    }

    @Activate
    public KadService(@Reference Host host, BundleContext context, KadConfig config) {
        this.host = host;
        this.context = context;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyphae-kad");
            t.setDaemon(true);
            return t;
        });
        RecordStore store = new RecordStore(() -> datastore);
        Datastore ds = datastore;
        if (ds != null) {
            loadInto(store, ds);
        }
        KadDht d = new KadDht(host, new KadDht.Settings(config.k(), config.alpha(), config.queryTimeoutMs(),
                config.clientMode(), config.quorum()), store, ns -> {
                    RecordValidator v = validators.get(ns);
                    return v == null && "pk".equals(ns) ? builtinPk : v;
                }, timer, System::currentTimeMillis,
                new ScoredPenalties(new LocalPenalties(KadDht.PENALTY_MS, System::currentTimeMillis), () -> peerStore));
        d.lookupTimes(t -> {
            DurationRecorder r = durations;
            if (r != null) {
                r.record("hyphae_dht_lookup_seconds", "duration of Kademlia lookups (FIND_NODE, GET_VALUE, GET_PROVIDERS)", t);
            }
        });
        dht = d;
        apply(d, config);
        long refresh = Math.max(1, config.refreshMinutes());
        long staleMs = TimeUnit.MINUTES.toMillis(refresh);
        timer.scheduleWithFixedDelay(() -> d.refresh(staleMs), refresh, refresh, TimeUnit.MINUTES);
        timer.scheduleWithFixedDelay(d::republish, 1, 1, TimeUnit.HOURS);
    }

    /**
     * A configuration change (this component's or the storage selection) applies without a restart:
     * client/server mode, alpha, timeout and new bootstrap peers at once; {@code k} and the refresh
     * interval at the next start.
     */
    @Modified
    void modified(KadConfig config) {
        KadDht d = dht;
        if (d != null) {
            if (config.k() != d.routingTable().k()) {
                LOG.log(System.Logger.Level.WARNING, "kad k=" + config.k() + " takes effect at the next start");
            }
            d.settings(new KadDht.Settings(config.k(), config.alpha(), config.queryTimeoutMs(), config.clientMode(),
                    config.quorum()));
            apply(d, config);
        }
    }

    private synchronized void apply(KadDht d, KadConfig config) {
        if (!config.clientMode() && handler == null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(ProtocolHandler.PROTOCOL_PROPERTY, KadDht.PROTOCOL);
            handler = context.registerService(ProtocolHandler.class, d::handle, props);
        } else if (config.clientMode() && handler != null) {
            handler.unregister();
            handler = null;
        }
        List<Multiaddr> boot = new ArrayList<>();
        for (String s : config.bootstrap()) {
            try {
                Multiaddr a = Multiaddr.parse(s.trim());
                if (!bootstrapped.contains(a)) {
                    boot.add(a);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "kad bootstrap address " + s + " ignored: " + e.getMessage());
            }
        }
        List<Multiaddr> all = new ArrayList<>(bootstrapped);
        all.addAll(boot);
        bootstrapped = List.copyOf(all);
        timer.execute(() -> d.bootstrap(boot).whenComplete((n, e) -> LOG.log(System.Logger.Level.INFO,
                "kad bootstrap done: " + (e == null ? n + " peers in the routing table" : "failed: " + e))));
    }

    @Deactivate
    synchronized void deactivate() {
        if (handler != null) {
            handler.unregister();
            handler = null;
        }
        timer.shutdownNow();
        dht = null;
    }

    private static void loadInto(RecordStore store, Datastore ds) {
        try {
            store.load(ds, System.currentTimeMillis());
            store.saveAll(ds);
        } catch (StorageException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not load DHT records from the datastore: " + e.getMessage(), e);
        }
    }

    /** Peers of other discovery sources (bootstrap lists, mDNS) are contacted and, if they serve kad, kept. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(!(" + PeerDiscovery.SOURCE_PROPERTY + "=kad))")
    void bindSource(PeerDiscovery source) {
        KadDht d = dht;
        if (d == null) {
            return;
        }
        List<Multiaddr> addrs = new ArrayList<>();
        for (PeerAddresses p : source.peers()) {
            for (Multiaddr a : p.addresses()) {
                addrs.add(a.withPeerId(p.peer()));
            }
        }
        if (!addrs.isEmpty()) {
            timer.execute(() -> d.bootstrap(addrs));
        }
    }

    void unbindSource(PeerDiscovery source) {
        // Peers already in the routing table stay: they were proven by answering.
    }

    @Override
    public List<PeerAddresses> peers() {
        KadDht d = dht;
        if (d == null) {
            return List.of();
        }
        List<PeerAddresses> out = new ArrayList<>();
        d.routingTable().buckets().values().forEach(out::addAll);
        return out;
    }

    /** The running DHT (for the shell commands). */
    public KadDht dht() {
        KadDht d = dht;
        if (d == null) {
            throw new IllegalStateException("the kad DHT is not active");
        }
        return d;
    }

    @Override
    public String mode() {
        return dht().settings().clientMode() ? "client" : "server";
    }

    @Override
    public int bucketSize() {
        return dht().routingTable().k();
    }

    @Override
    public List<Bucket> buckets() {
        return dht().routingTable().buckets().entrySet().stream().map(e -> new Bucket(e.getKey(), e.getValue())).toList();
    }

    @Override
    public CompletionStage<Optional<PeerAddresses>> findPeer(PeerId peer) {
        return dht().findPeer(peer);
    }

    @Override
    public CompletionStage<Void> provide(Cid cid) {
        return dht().provide(cid.multihash().bytes());
    }

    @Override
    public CompletionStage<List<PeerAddresses>> findProviders(Cid cid, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        return dht().findProviders(cid.multihash().bytes(), max);
    }

    @Override
    public CompletionStage<Void> put(byte[] key, byte[] value) {
        return dht().put(key, value);
    }

    @Override
    public CompletionStage<Optional<byte[]>> get(byte[] key) {
        return dht().get(key);
    }

    /** Bootstraps from more addresses at runtime. */
    public CompletionStage<Integer> bootstrap(List<Multiaddr> peers) {
        return dht().bootstrap(peers);
    }

    static <T> CompletionStage<T> failed(Throwable t) {
        return CompletableFuture.failedFuture(t);
    }
}
