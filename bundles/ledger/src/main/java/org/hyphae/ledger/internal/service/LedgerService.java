package org.hyphae.ledger.internal.service;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.BlockListener;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Ledger;
import org.hyphae.ledger.LedgerStatus;
import org.hyphae.ledger.Transaction;
import org.hyphae.ledger.TransactionReceipt;
import org.hyphae.ledger.internal.ChainMove;
import org.hyphae.ledger.internal.LedgerNode;
import org.hyphae.pubsub.PubSub;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Host;
import org.hyphae.transport.ProtocolHandler;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@link Ledger} service: reads the chain file, opens the chain in the active
 * {@link Datastore}, registers the sync protocol handler and the topic validators, and follows the
 * {@link ConsensusEngine} whiteboard: an engine that appears while the chain waits for it starts
 * at once, one that goes stops the node producing at its height.
 *
 * <p>The datastore is a dynamic reference: when the active store changes (hyphae:storage-use), the
 * node stops, the chain is carried to the new store ({@link ChainMove}: kept if it is there already
 * as far, copied otherwise) and reopened from it; a store that holds another chain is refused, the
 * ledger stays stopped with the reason, and the chain is untouched in the previous store.
 *
 * <p>It runs once {@value #PID} is configured (the distribution ships {@code org.hyphae.ledger.cfg}),
 * and then at once, not on first use: the node keeps its copy of the chain whether or not anyone
 * asks it something.
 */
@Component(service = Ledger.class, configurationPid = {LedgerService.PID, BlockStore.SELECTION_PID},
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public final class LedgerService implements Ledger {

    /** Configuration PID. */
    public static final String PID = "org.hyphae.ledger";
    private static final System.Logger LOG = System.getLogger(LedgerService.class.getName());
    /** How long a reader waits for a reopen: copying a chain to a new store takes seconds, not minutes. */
    private static final long REOPEN_WAIT_MS = 15_000;

    private final Map<String, ConsensusEngine> engines = new ConcurrentHashMap<>();
    private final List<BlockListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final BundleContext context;
    private final Identity identity;
    private final PubSub pubsub;
    private volatile Host host;
    private volatile LedgerNode node;
    // Guarded by this.
    private LedgerConfig config;
    private ChainSpec spec;
    private Path file;
    private Datastore datastore;
    /** The store the chain was last open on (after a refused swap, not the bound one). */
    private Datastore chainStore;
    private boolean active;
    private volatile String stopped;
    /**
     * Set while the node is closed to be opened again (a new datastore, new settings): readers wait
     * that out rather than fail, so a storage switch is not an error to whoever reads the chain then.
     */
    private volatile boolean reopening;
    private final Object reopened = new Object();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindHost(Host h) {
        host = h;
    }

    void unbindHost(Host h) {
        if (host == h) {
            host = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindEngine(ConsensusEngine engine, Map<String, Object> props) {
        Object name = props.get(ConsensusEngine.NAME_PROPERTY);
        if (name != null) {
            engines.put(name.toString(), engine);
            LedgerNode n = node;
            if (n != null) {
                n.refreshEngine();
            }
        }
    }

    void unbindEngine(ConsensusEngine engine, Map<String, Object> props) {
        Object name = props.get(ConsensusEngine.NAME_PROPERTY);
        if (name != null && engines.remove(name.toString(), engine)) {
            LedgerNode n = node;
            if (n != null) {
                n.refreshEngine();
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindListener(BlockListener l) {
        listeners.add(l);
        LedgerNode n = node;
        if (n != null) {
            n.addBlockListener(l);
        }
    }

    void unbindListener(BlockListener l) {
        listeners.remove(l);
        LedgerNode n = node;
        if (n != null) {
            n.removeBlockListener(l);
        }
    }

    @Activate
    public LedgerService(BundleContext context, LedgerConfig config, @Reference Identity identity, @Reference PubSub pubsub)
            throws IOException {
        this.context = context;
        this.identity = identity;
        this.pubsub = pubsub;
        this.config = config;
        readSpec();
    }

    private void readSpec() throws IOException {
        file = chainFile(context, config);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            spec = ChainSpec.parse(p, identity.peerId());
        } catch (IllegalArgumentException e) {
            throw new IOException("chain file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens and starts the node once SCR has bound the references it calls back (the engines above
     * all: started from the constructor it found no engine and warned that the first was missing).
     */
    @Activate
    synchronized void activate() throws StorageException {
        active = true;
        open();
    }

    /** The ledger's own settings changed (a storage selection change alone comes as a new datastore). */
    @Modified
    synchronized void modified(LedgerConfig changed) throws IOException, StorageException {
        LedgerConfig before = config;
        config = changed;
        if (!settings(before).equals(settings(changed)) || !before.chainFile().equals(changed.chainFile())) {
            reopening = true;
            try {
                close();
                readSpec();
                open();
            } finally {
                reopened();
            }
        }
    }

    private static LedgerNode.Settings settings(LedgerConfig c) {
        return new LedgerNode.Settings(c.syncIntervalMs(), c.maxBlockTransactions(), c.maxFutureMillis(), c.mempoolSize(),
                c.mempoolPerSender(), c.minFee(), c.banMillis(), c.intakeCapacity());
    }

    @Reference(name = Datastore.REFERENCE_NAME, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindDatastore(Datastore ds) {
        Datastore old = datastore;
        datastore = ds;
        if (!active || old == null || old == ds) {
            return;
        }
        // The active store changed: the greedy reference binds the new one before it lets the old one go.
        reopening = true;
        try {
            close();
            long copied = chainStore == ds ? 0 : ChainMove.move(chainStore, ds);
            LOG.log(System.Logger.Level.INFO, "ledger: chain " + spec.chainId() + " on the new datastore"
                    + (copied == 0 ? " (it held the chain already)" : " (" + copied + " keys copied from the previous one)"));
            open();
        } catch (StorageException | RuntimeException e) {
            stopped = e.getMessage() + "; the chain is untouched in the previous store: switch back with hyphae:storage-use <kind>";
            LOG.log(System.Logger.Level.ERROR, "ledger: chain " + spec.chainId() + " stopped: " + stopped);
        } finally {
            reopened();
        }
    }

    private void reopened() {
        synchronized (reopened) {
            reopening = false;
            reopened.notifyAll();
        }
    }

    synchronized void unbindDatastore(Datastore ds) {
        if (datastore == ds) {
            datastore = null;
        }
    }

    private void open() throws StorageException {
        stopped = null;
        chainStore = datastore;
        LedgerNode n = new LedgerNode(spec, datastore, identity, () -> host, pubsub, engines::get, settings(config));
        listeners.forEach(n::addBlockListener);
        node = n;
        registrations.add(context.registerService(TopicValidator.class, n.transactionValidator(),
                props(TopicValidator.TOPIC_PROPERTY, n.transactionTopic())));
        registrations.add(context.registerService(TopicValidator.class, n.blockValidator(),
                props(TopicValidator.TOPIC_PROPERTY, n.blockTopic())));
        registrations.add(context.registerService(ProtocolHandler.class, (ProtocolHandler) n::handleSync,
                props(ProtocolHandler.PROTOCOL_PROPERTY, LedgerNode.syncProtocol())));
        LOG.log(System.Logger.Level.INFO, "ledger: chain " + spec.chainId() + " from " + file + ", genesis "
                + n.status().genesis().shortHex() + ", head #" + n.height());
        n.start();
    }

    private static Dictionary<String, Object> props(String key, String value) {
        Hashtable<String, Object> t = new Hashtable<>();
        t.put(key, value);
        return t;
    }

    static Path chainFile(BundleContext context, LedgerConfig config) throws IOException {
        if (!config.chainFile().isBlank()) {
            Path p = Path.of(config.chainFile());
            if (!p.isAbsolute()) {
                String data = context.getProperty("hyphae.data");
                p = Path.of(data == null ? "data" : data).resolve(p);
            }
            if (!Files.isRegularFile(p)) {
                throw new IOException("chain file " + p + " (" + PID + " chainFile) does not exist");
            }
            return p;
        }
        String data = context.getProperty("hyphae.data");
        Path own = Path.of(data == null || data.isBlank() ? "data" : data).resolve("chain.properties");
        if (Files.isRegularFile(own)) {
            return own;
        }
        String home = context.getProperty("hyphae.home");
        Path dev = Path.of(home == null || home.isBlank() ? "." : home).resolve("config").resolve("dev-chain.properties");
        if (Files.isRegularFile(dev)) {
            return dev;
        }
        throw new IOException("no chain file: put one at " + own + " or set chainFile in " + PID);
    }

    @Deactivate
    synchronized void deactivate() {
        active = false;
        close();
    }

    private void close() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
        registrations.clear();
        LedgerNode n = node;
        node = null;
        if (n != null) {
            n.close();
        }
    }

    private LedgerNode node() {
        LedgerNode n = node;
        if (n == null && reopening) {
            n = awaitReopen();
        }
        if (n == null) {
            String why = stopped;
            throw new IllegalStateException(why != null ? "the ledger is stopped: " + why : "the ledger is stopping");
        }
        return n;
    }

    /**
     * Waits, boundedly, for a reopen to end. Not on this object's monitor, which the reopen holds
     * throughout: a block listener called back while the old node closes must not deadlock it.
     */
    private LedgerNode awaitReopen() {
        long deadline = System.nanoTime() + REOPEN_WAIT_MS * 1_000_000;
        synchronized (reopened) {
            long left;
            while (reopening && node == null && (left = deadline - System.nanoTime()) > 0) {
                try {
                    reopened.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return node;
    }

    /** Signs and submits a transfer from this node's account. */
    public CompletionStage<Hash> transfer(PeerId to, long amount, long fee) {
        return node().transfer(to, amount, fee);
    }

    @Override
    public ChainSpec chainSpec() {
        return node().chainSpec();
    }

    @Override
    public long height() {
        return node().height();
    }

    @Override
    public BlockHeader head() {
        return node().head();
    }

    @Override
    public Optional<Block> block(long height) {
        return node().block(height);
    }

    @Override
    public Optional<Block> block(Hash hash) {
        return node().block(hash);
    }

    @Override
    public Optional<TransactionReceipt> transaction(Hash hash) {
        return node().transaction(hash);
    }

    @Override
    public Account account(PeerId account) {
        return node().account(account);
    }

    @Override
    public long nextNonce(PeerId account) {
        return node().nextNonce(account);
    }

    @Override
    public CompletionStage<Hash> submit(Transaction transaction) {
        return node().submit(transaction);
    }

    @Override
    public List<Transaction> pending(int max) {
        return node().pending(max);
    }

    @Override
    public LedgerStatus status() {
        return node().status();
    }

    @Override
    public List<org.hyphae.ledger.PeerHead> peerHeads() {
        return node().peerHeads();
    }
}
