package org.hyphae.ledger.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.consensus.EngineContext;
import org.hyphae.consensus.EngineSession;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.BlockListener;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.hyphae.ledger.InvalidTransactionException;
import org.hyphae.ledger.Ledger;
import org.hyphae.ledger.LedgerStatus;
import org.hyphae.ledger.Transaction;
import org.hyphae.ledger.TransactionReceipt;
import org.hyphae.pubsub.Message;
import org.hyphae.pubsub.PubSub;
import org.hyphae.pubsub.Subscription;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.pubsub.ValidationResult;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Host;

/**
 * One node's ledger on the network: the {@link Chain} and {@link Mempool}, transactions and blocks
 * over pubsub topics whose validators admit or import them before they spread, {@link ChainSync},
 * and the consensus engine of the head's segment running as an {@link EngineSession}.
 */
public final class LedgerNode implements Ledger, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LedgerNode.class.getName());
    /** At most this many pending transactions are published again per sync interval. */
    private static final int REBROADCAST_PER_ROUND = 256;
    /** Blocks kept while their parent is unknown: overall, per sending peer, and for how long. */
    private static final int ORPHANS = 512;
    private static final int ORPHANS_PER_PEER = 64;
    private static final long ORPHAN_TTL_MS = 120_000;

    /**
     * Tunables.
     *
     * @param syncIntervalMs how often to compare heads with peers
     * @param maxBlockTransactions most transactions per block (made and accepted)
     * @param maxFutureMillis how far a block's time may be ahead of this node's clock
     * @param mempoolSize most pending transactions
     * @param mempoolPerSender most pending transactions per sender
     * @param minFee the lowest fee admitted
     * @param banMillis how long a peer that served invalid chain data is ignored by sync
     * @param intakeCapacity transactions that may wait for their signature check at a time
     *     (submissions and gossiped batches together; 4,096 is about half a second of one core's
     *     Ed25519); more are refused until the backlog drains
     */
    public record Settings(long syncIntervalMs, int maxBlockTransactions, long maxFutureMillis, int mempoolSize,
            int mempoolPerSender, long minFee, long banMillis, int intakeCapacity) {
        /** Defaults for a node. */
        public static Settings defaults() {
            return new Settings(2000, 4000, 5000, 50_000, 1000, 0, 600_000, 4096);
        }

        /** These settings with another sync interval (tests run faster rounds). */
        public Settings withSyncIntervalMs(long ms) {
            return new Settings(ms, maxBlockTransactions, maxFutureMillis, mempoolSize, mempoolPerSender, minFee, banMillis,
                    intakeCapacity);
        }
    }

    private final ChainSpec spec;
    private final Identity identity;
    private final Supplier<Host> host;
    private final PubSub pubsub;
    private final Function<String, ConsensusEngine> engines;
    private final Settings settings;
    private final Chain chain;
    private final Mempool mempool;
    private final ChainSync sync;
    private final PeerPenalties penalties;
    private final OrphanPool orphans;
    private final TransactionGossip txGossip;
    private final ExecutorService importer;
    private final ExecutorService verifiers;
    private final TransactionIntake intake;
    private final ExecutorService checks;
    private final ScheduledExecutorService syncThread;
    private final ScheduledExecutorService gossipThread;
    private final ExecutorService serving;
    private final List<BlockListener> blockListeners = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final String txTopic;
    private final String blockTopic;

    // Engine session state, guarded by this.
    private EngineSession session;
    private ConsensusEngine sessionEngine;
    private ChainSpec.ScheduleEntry sessionSegment;
    private ScheduledExecutorService sessionScheduler;
    private Subscription sessionTopic;
    private String missingEngine;
    private volatile boolean closed;

    /**
     * Opens the chain in the datastore (creating genesis on first use) and wires the node.
     *
     * @throws StorageException if the store cannot be read or holds another chain
     */
    public LedgerNode(ChainSpec spec, Datastore datastore, Identity identity, Supplier<Host> host, PubSub pubsub,
            Function<String, ConsensusEngine> engines, Settings settings) throws StorageException {
        this.spec = spec;
        this.identity = identity;
        this.host = host;
        this.pubsub = pubsub;
        this.engines = engines;
        this.settings = settings;
        String tag = shortId(identity.peerId());
        this.importer = Executors.newSingleThreadExecutor(daemon("hyphae-ledger-import-" + tag));
        this.verifiers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), daemon("hyphae-ledger-verify-" + tag));
        this.intake = new TransactionIntake(verifiers, Math.max(1, settings.intakeCapacity()));
        // The engine's proposal checks get their own thread: behind a transaction flood in the
        // verifiers' queue they came too late for the round (BftStarvationTest).
        this.checks = Executors.newSingleThreadExecutor(daemon("hyphae-ledger-check-" + tag));
        this.syncThread = Executors.newSingleThreadScheduledExecutor(daemon("hyphae-ledger-sync-" + tag));
        // Not the sync thread: a sync round waits on peers for seconds, batches leave within milliseconds.
        this.gossipThread = Executors.newSingleThreadScheduledExecutor(daemon("hyphae-ledger-gossip-" + tag));
        this.serving = Executors.newFixedThreadPool(2, daemon("hyphae-ledger-serve-" + tag));
        SignatureVerifier signatures = new SignatureVerifier(identity);
        this.chain = new Chain(datastore, spec, engines, signatures, System::currentTimeMillis,
                new Chain.Limits(settings.maxFutureMillis(), settings.maxBlockTransactions()));
        this.mempool = new Mempool(chain.executor(), signatures, chain::account,
                new Mempool.Limits(settings.mempoolSize(), settings.mempoolPerSender(), settings.minFee(), 10));
        this.penalties = new PeerPenalties(System::currentTimeMillis, settings.banMillis());
        this.sync = new ChainSync(chain, host, penalties, syncThread, serving);
        // Version 2: a message is a batch of transactions (version 1 carried one).
        this.txTopic = "/hyphae/chain/" + spec.chainId() + "/tx/2";
        this.blockTopic = "/hyphae/chain/" + spec.chainId() + "/block/1";
        this.orphans = new OrphanPool(ORPHANS, ORPHANS_PER_PEER, ORPHAN_TTL_MS, System::currentTimeMillis);
        this.txGossip = new TransactionGossip(spec.chainId(), identity.peerId(), txTopic, pubsub, mempool, chain::account, signatures,
                gossipThread, intake);
        chain.addListener(this::onHead);
        chain.onStored(hash -> {
            if (orphans.hasChildren(hash) && !closed) {
                try {
                    importer.execute(() -> connectOrphans(hash));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // Closing: the orphans go with the pool.
                }
            }
        });
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static String shortId(PeerId p) {
        String s = p.toString();
        return s.substring(Math.max(0, s.length() - 6));
    }

    /** The pubsub topic of transactions. */
    public String transactionTopic() {
        return txTopic;
    }

    /** The pubsub topic of blocks. */
    public String blockTopic() {
        return blockTopic;
    }

    /** The pubsub topic of an engine's own messages. */
    public String engineTopic(String engine) {
        return "/hyphae/chain/" + spec.chainId() + "/engine/" + engine + "/1";
    }

    /** Joins the topics, starts syncing and the engine. */
    public LedgerNode start() {
        subscriptions.add(pubsub.subscribe(txTopic, m -> { }));
        subscriptions.add(pubsub.subscribe(blockTopic, m -> { }));
        sync.start(settings.syncIntervalMs());
        syncThread.scheduleWithFixedDelay(this::rebroadcastStalePending, settings.syncIntervalMs(),
                settings.syncIntervalMs(), TimeUnit.MILLISECONDS);
        refreshEngine();
        return this;
    }

    /** Transactions seen pending at the last rebroadcast round (sync thread only). */
    private Set<Hash> pendingLastRound = Set.of();

    /**
     * Publishes again the pending transactions that were already pending one round ago. A
     * transaction published before the topic's mesh formed (or while the only signers were away)
     * reached no signer and would otherwise wait in this pool for ever; receivers that hold it
     * ignore the copy. Bounded per round.
     */
    private void rebroadcastStalePending() {
        try {
            List<Transaction> pending = mempool.select(REBROADCAST_PER_ROUND, chain::account);
            Set<Hash> now = new HashSet<>();
            List<Transaction> stale = new java.util.ArrayList<>();
            for (Transaction t : pending) {
                Hash id = t.hash();
                now.add(id);
                if (pendingLastRound.contains(id)) {
                    stale.add(t);
                }
            }
            txGossip.publishNow(stale);
            pendingLastRound = now;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "ledger: rebroadcast of pending transactions failed: " + e.getMessage());
        }
    }

    /** Serves {@value SyncMessage#PROTOCOL} streams. */
    public void handleSync(org.hyphae.transport.Stream stream) {
        sync.handle(stream);
    }

    /** The sync protocol id. */
    public static String syncProtocol() {
        return SyncMessage.PROTOCOL;
    }

    /** Runs a sync round now (tests, and after connecting to a peer). */
    public void syncNow() {
        sync.trigger();
    }

    /** The validator of the transaction topic (batches of transactions). */
    public TopicValidator transactionValidator() {
        return txGossip.validator();
    }

    /** The validator of the block topic: it imports the block. */
    public TopicValidator blockValidator() {
        return new TopicValidator() {
            @Override
            public ValidationResult validate(Message message) {
                return validateBlock(message);
            }

            @Override
            public CompletionStage<ValidationResult> validateAsync(Message message) {
                if (message.receivedFrom().equals(identity.peerId())) {
                    return CompletableFuture.completedFuture(ValidationResult.ACCEPT);
                }
                return CompletableFuture.supplyAsync(() -> validateBlock(message), importer);
            }

            @Override
            public String toString() {
                return "ledger block validator";
            }
        };
    }

    private ValidationResult validateBlock(Message m) {
        if (m.receivedFrom().equals(identity.peerId())) {
            return ValidationResult.ACCEPT;
        }
        Block block;
        try {
            block = Block.decode(m.data());
        } catch (IllegalArgumentException e) {
            penalties.penalize(m.receivedFrom(), "malformed block on " + blockTopic + ": " + e.getMessage());
            return ValidationResult.REJECT;
        }
        try {
            switch (chain.importBlock(block)) {
                case HEAD:
                case REORG:
                case SIDE:
                    return ValidationResult.ACCEPT;
                case UNKNOWN_PARENT:
                    return keepOrphan(block, m.receivedFrom());
                default:
                    return ValidationResult.IGNORE;
            }
        } catch (InvalidBlockException e) {
            penalties.penalize(m.receivedFrom(), "invalid block on " + blockTopic + ": " + e.getMessage());
            return ValidationResult.REJECT;
        } catch (StorageException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "ledger: could not import block #" + block.height(), e);
            return ValidationResult.IGNORE;
        }
    }

    /**
     * Keeps a block whose parent is unknown (after the checks that need no parent) and asks sync
     * for the missing history; it is imported when its parent is.
     */
    private ValidationResult keepOrphan(Block block, PeerId from) throws InvalidBlockException {
        chain.verifyBody(block);
        long now = System.currentTimeMillis();
        if (block.header().time() > now + settings.maxFutureMillis()) {
            throw new InvalidBlockException("block #" + block.height() + " " + block.hash().shortHex() + ": time "
                    + block.header().time() + " is " + (block.header().time() - now) + " ms in the future");
        }
        if (block.height() <= chain.finalizedHeight()) {
            return ValidationResult.IGNORE; // it could never be adopted
        }
        orphans.add(block, from);
        sync.trigger();
        return ValidationResult.IGNORE;
    }

    /** Imports the orphans that waited for {@code parent}, and theirs in turn (importer thread). */
    private void connectOrphans(Hash parent) {
        java.util.ArrayDeque<Hash> ready = new java.util.ArrayDeque<>();
        ready.add(parent);
        while (!ready.isEmpty() && !closed) {
            for (OrphanPool.Orphan o : orphans.takeChildren(ready.poll())) {
                Block b = o.block();
                try {
                    Chain.Outcome outcome = chain.importBlock(b);
                    LOG.log(System.Logger.Level.DEBUG, "ledger: orphan block #" + b.height() + " " + b.hash().shortHex() + " connected: " + outcome);
                    // importBlock's hook queues this block's own children; KNOWN means sync got there first.
                    if (outcome == Chain.Outcome.KNOWN) {
                        ready.add(b.hash());
                    }
                } catch (InvalidBlockException e) {
                    penalties.penalize(o.from(), "invalid orphan block: " + e.getMessage());
                } catch (StorageException | RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "ledger: could not import orphan block #" + b.height(), e);
                }
            }
        }
    }

    /** Blocks waiting for their parent (tests, shell). */
    public int orphanCount() {
        return orphans.size();
    }

    /** Adds a listener of new heads. */
    public void addBlockListener(BlockListener l) {
        blockListeners.add(l);
    }

    /** Removes a listener of new heads. */
    public void removeBlockListener(BlockListener l) {
        blockListeners.remove(l);
    }

    private void onHead(Block head, List<Block> removed, List<Block> added) {
        mempool.onHead(removed, added);
        for (BlockListener l : blockListeners) {
            try {
                l.onHead(head);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "block listener " + l + " failed", e);
            }
        }
        refreshEngine();
    }

    /** Starts, moves on or stops the engine session for the head's next height (also when engines come and go). */
    public synchronized void refreshEngine() {
        if (closed) {
            return;
        }
        BlockHeader head = chain.head();
        ChainSpec.ScheduleEntry segment = spec.engineAt(head.height() + 1);
        ConsensusEngine engine = engines.apply(segment.engine());
        if (session != null && segment.equals(sessionSegment) && engine == sessionEngine) {
            session.onHead(head);
            return;
        }
        stopSession();
        if (engine == null) {
            if (!segment.engine().equals(missingEngine)) {
                LOG.log(System.Logger.Level.WARNING, "ledger: chain " + spec.chainId() + " stops at height " + head.height()
                        + ": the consensus engine \"" + segment.engine() + "\" that rules from height " + segment.fromHeight()
                        + " is not installed; drop the bundle " + LedgerStatus.engineBundle(segment.engine()) + " into deploy/");
            }
            missingEngine = segment.engine();
            return;
        }
        missingEngine = null;
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("hyphae-consensus-" + segment.engine()
                + "-" + shortId(identity.peerId())));
        sessionScheduler = scheduler;
        sessionSegment = segment;
        sessionEngine = engine;
        EngineContext ctx = new Context(segment, scheduler);
        EngineSession s = engine.start(ctx);
        session = s;
        sessionTopic = pubsub.subscribe(engineTopic(segment.engine()), m -> {
            if (!m.receivedFrom().equals(identity.peerId()) && m.from().isPresent()) {
                s.onMessage(m.from().get(), m.data());
            }
        });
    }

    private void stopSession() {
        if (session != null) {
            try {
                session.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "consensus session close failed", e);
            }
            session = null;
        }
        if (sessionTopic != null) {
            sessionTopic.close();
            sessionTopic = null;
        }
        if (sessionScheduler != null) {
            sessionScheduler.shutdownNow();
            sessionScheduler = null;
        }
        sessionEngine = null;
        sessionSegment = null;
    }

    /** What the running engine may do on this node. */
    private final class Context implements EngineContext {
        private final ChainSpec.ScheduleEntry segment;
        private final ScheduledExecutorService scheduler;
        private final org.hyphae.consensus.ChainView view;

        Context(ChainSpec.ScheduleEntry segment, ScheduledExecutorService scheduler) {
            this.segment = segment;
            this.scheduler = scheduler;
            this.view = chain.view(segment, Map.of());
        }

        @Override
        public String chainId() {
            return spec.chainId();
        }

        @Override
        public ChainSpec.ScheduleEntry segment() {
            return segment;
        }

        @Override
        public Optional<BlockHeader> header(Hash hash) {
            return view.header(hash);
        }

        @Override
        public boolean verifySignature(PeerId signer, byte[] data, byte[] signature) {
            return view.verifySignature(signer, data, signature);
        }

        @Override
        public PeerId localPeer() {
            return identity.peerId();
        }

        @Override
        public byte[] sign(byte[] data) {
            return identity.sign(data);
        }

        @Override
        public BlockHeader head() {
            return chain.head();
        }

        @Override
        public Block assemble(BlockHeader parent, long time) {
            return assemble(parent, time, settings.maxBlockTransactions());
        }

        @Override
        public Block assemble(BlockHeader parent, long time, int maxTransactions) {
            int n = Math.max(0, Math.min(maxTransactions, settings.maxBlockTransactions()));
            return chain.assemble(parent, time, identity.peerId(), mempool.select(n, chain::account));
        }

        @Override
        public CompletionStage<Void> validate(Block block) {
            return CompletableFuture.runAsync(() -> {
                try {
                    chain.validateOnHead(block);
                } catch (InvalidBlockException e) {
                    throw new CompletionException(e);
                }
            }, checks);
        }

        @Override
        public CompletionStage<Void> propose(Block block) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return chain.importBlock(block);
                } catch (InvalidBlockException | StorageException e) {
                    throw new CompletionException(e);
                }
            }, importer).thenCompose(outcome -> {
                if (outcome == Chain.Outcome.HEAD || outcome == Chain.Outcome.REORG || outcome == Chain.Outcome.SIDE) {
                    return pubsub.publish(blockTopic, block.encode()).thenApply(r -> (Void) null);
                }
                return CompletableFuture.completedFuture(null);
            });
        }

        @Override
        public void broadcast(byte[] message) {
            pubsub.publish(engineTopic(segment.engine()), message);
        }

        @Override
        public ScheduledExecutorService scheduler() {
            return scheduler;
        }
    }

    // ---- Ledger ----

    @Override
    public ChainSpec chainSpec() {
        return spec;
    }

    @Override
    public long height() {
        return chain.head().height();
    }

    @Override
    public BlockHeader head() {
        return chain.head();
    }

    @Override
    public Optional<Block> block(long height) {
        return chain.block(height);
    }

    @Override
    public Optional<Block> block(Hash hash) {
        return chain.block(hash);
    }

    @Override
    public Optional<TransactionReceipt> transaction(Hash hash) {
        return chain.transaction(hash);
    }

    @Override
    public Account account(PeerId account) {
        return chain.account(account);
    }

    @Override
    public long nextNonce(PeerId account) {
        while (true) {
            // A head that lands between the two reads takes applied transactions out of the pool:
            // the account's nonce must be the same after the pool was read, or the pool's answer is stale.
            long base = chain.account(account).nonce();
            long next = mempool.nextNonce(account, base);
            if (chain.account(account).nonce() == base) {
                return next;
            }
        }
    }

    @Override
    public CompletionStage<Hash> submit(Transaction transaction) {
        return intake.run(1, () -> {
            try {
                mempool.add(transaction);
                return transaction.hash();
            } catch (InvalidTransactionException e) {
                throw new CompletionException(e);
            }
        }).thenApply(id -> {
            txGossip.publish(transaction);
            return id;
        });
    }

    /** Signs and submits a transfer from this node's own account. */
    public CompletionStage<Hash> transfer(PeerId to, long amount, long fee) {
        Transaction t = Transaction.transfer(spec.chainId(), identity.peerId(), nextNonce(identity.peerId()), fee, to, amount);
        return submit(t.withSignature(identity.sign(t.signingBytes())));
    }

    @Override
    public List<Transaction> pending(int max) {
        return mempool.select(max, chain::account);
    }

    @Override
    public synchronized LedgerStatus status() {
        BlockHeader head = chain.head();
        Map<PeerId, SyncMessage.Status> st = sync.statuses();
        int inSync = 0;
        Optional<Long> best = Optional.empty();
        for (SyncMessage.Status s : st.values()) {
            if (chain.known(s.head())) {
                inSync++;
            }
            if (best.isEmpty() || s.height() > best.get()) {
                best = Optional.of(s.height());
            }
        }
        ChainSpec.ScheduleEntry seg = spec.engineAt(head.height() + 1);
        return new LedgerStatus(spec.chainId(), chain.genesis().hash(), head, seg.engine(), engines.apply(seg.engine()) != null,
                mempool.size(), st.size(), inSync, best);
    }

    @Override
    public List<org.hyphae.ledger.PeerHead> peerHeads() {
        List<org.hyphae.ledger.PeerHead> out = new java.util.ArrayList<>();
        sync.statuses().forEach((peer, st) -> out.add(new org.hyphae.ledger.PeerHead(peer, st.height(), st.head(), chain.known(st.head()))));
        out.sort(java.util.Comparator.comparingLong(org.hyphae.ledger.PeerHead::height).reversed());
        return out;
    }

    /** Total balance of all accounts (the genesis supply if the chain is sound). */
    public long totalBalance() {
        return chain.totalBalance();
    }

    /** How often a peer was penalized (tests, shell). */
    public int offences(PeerId peer) {
        return penalties.offences(peer);
    }

    /** Why a peer was last penalized, or null. */
    public String lastOffence(PeerId peer) {
        return penalties.lastReason(peer);
    }

    /** Blocks imported by sync so far. */
    public long blocksSynced() {
        return sync.blocksImported();
    }

    Chain chain() {
        return chain;
    }

    /** Imports a block as if a peer had sent it (tests, tools). */
    public String importBlock(Block block) throws InvalidBlockException, StorageException {
        return chain.importBlock(block).name();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            stopSession();
        }
        sync.close();
        subscriptions.forEach(Subscription::close);
        syncThread.shutdownNow();
        gossipThread.shutdownNow();
        importer.shutdown();
        try {
            importer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        verifiers.shutdownNow();
        checks.shutdownNow();
        serving.shutdownNow();
    }
}
