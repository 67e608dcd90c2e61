package org.hyphae.ledger.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.hyphae.consensus.ChainView;
import org.hyphae.consensus.ConsensusEngine;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.hyphae.ledger.Transaction;
import org.hyphae.ledger.TransactionReceipt;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.StorageException;

/**
 * The chain: genesis from the spec, blocks verified and applied, fork choice by the engines'
 * cumulative weight, reorgs through undo data, and the state at the head. One importer at a time
 * (imports are synchronized); readers see one head's state under a read lock.
 */
final class Chain {

    private static final System.Logger LOG = System.getLogger(Chain.class.getName());

    /** What became of an imported block. */
    enum Outcome {
        /** It extends the head and is the new head. */
        HEAD,
        /** It made its branch the heaviest: the chain reorganised onto it. */
        REORG,
        /** Valid so far and stored, on a branch lighter than the head. */
        SIDE,
        /** Already stored. */
        KNOWN,
        /** Its parent is unknown: sync first. */
        UNKNOWN_PARENT,
        /** The engine that rules its height is not installed. */
        ENGINE_MISSING
    }

    /** Hears of head changes: blocks taken off the canonical chain and put on it, in order. */
    interface Listener {
        void onHead(Block head, List<Block> removed, List<Block> added);
    }

    /** Limits of what a block may be. */
    record Limits(long maxFutureMillis, int maxTransactions) {
    }

    private final ChainStore store;
    private final ChainSpec spec;
    private final Function<String, ConsensusEngine> engines;
    private final SignatureVerifier signatures;
    private final BlockExecutor executor;
    private final LongSupplier clock;
    private final Limits limits;
    private final WorldState state = new WorldState();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Hash, BlockHeader> headerCache = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, BlockHeader> eldest) {
            return size() > 20_000;
        }
    });
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.function.Consumer<Hash> onStored = h -> { };
    private final Block genesis;
    private volatile BlockHeader head;
    private volatile Hash headHash;
    private volatile long headWeight;

    Chain(Datastore ds, ChainSpec spec, Function<String, ConsensusEngine> engines, SignatureVerifier signatures,
            LongSupplier clock, Limits limits) throws StorageException {
        this.store = new ChainStore(ds);
        this.spec = spec;
        this.engines = engines;
        this.signatures = signatures;
        this.executor = new BlockExecutor(spec.chainId(), signatures);
        this.clock = clock;
        this.limits = limits;
        this.genesis = genesisBlock(spec);
        open();
    }

    static Block genesisBlock(ChainSpec spec) {
        WorldState s = new WorldState();
        spec.balances().forEach((k, v) -> s.put(k, new Account(v, 0)));
        BlockHeader h = new BlockHeader(Hash.ZERO, 0, spec.genesisTime(), MerkleTree.EMPTY, s.root(new java.util.TreeMap<>(AccountOrder.ORDER)),
                Optional.empty(), Hash.sha256(spec.encode()).bytes());
        return new Block(h, List.of());
    }

    private void open() throws StorageException {
        Hash g = genesis.hash();
        Optional<Hash> stored = store.genesis();
        if (stored.isPresent() && !stored.get().equals(g)) {
            throw new StorageException("the datastore holds chain data of another genesis (" + stored.get().shortHex()
                    + ") than the chain file's " + spec.chainId() + " (" + g.shortHex() + "); use another data directory or remove /ledger/ keys", null);
        }
        if (stored.isEmpty()) {
            try (Datastore.Batch b = store.datastore().batch()) {
                b.put(ChainStore.headerKey(g), genesis.header().encode());
                b.put(ChainStore.bodyKey(g), genesis.encodeBody());
                b.put(ChainStore.infoKey(g), new ChainStore.Info(0, 0).encode());
                b.put(ChainStore.heightKey(0), g.bytes());
                spec.balances().forEach((k, v) -> {
                    if (v > 0) {
                        b.put(ChainStore.accountKey(k), ChainStore.encodeAccount(new Account(v, 0)));
                    }
                });
                b.put(ChainStore.HEAD, g.bytes());
                b.put(ChainStore.GENESIS, g.bytes());
                b.commit();
            }
        }
        Hash h = store.head().orElseThrow(() -> new StorageException("chain store has a genesis but no head key", null));
        BlockHeader hh = store.header(h).orElseThrow(() -> new StorageException("chain store's head " + h + " has no header", null));
        store.accounts().forEach(state::put);
        if (!state.root(new java.util.TreeMap<>(AccountOrder.ORDER)).equals(hh.stateRoot())) {
            throw new StorageException("chain store: the stored accounts do not match the head's state root at height "
                    + hh.height() + " (" + h.shortHex() + ")", null);
        }
        head = hh;
        headHash = h;
        headWeight = store.info(h).orElseThrow(() -> new StorageException("no info for head " + h, null)).weight();
    }

    void addListener(Listener l) {
        listeners.add(l);
    }

    /**
     * Hears of every block newly stored (head, reorg tip or side block), on the importing thread
     * while it holds the import lock: the hook must only hand work on.
     */
    void onStored(java.util.function.Consumer<Hash> hook) {
        onStored = hook;
    }

    ChainSpec spec() {
        return spec;
    }

    Block genesis() {
        return genesis;
    }

    BlockHeader head() {
        return head;
    }

    Hash headHash() {
        return headHash;
    }

    long headWeight() {
        return headWeight;
    }

    /** The total weight of the chain ending in a stored block, or 0 if it is unknown. */
    long weightOf(Hash h) {
        try {
            return store.info(h).map(ChainStore.Info::weight).orElse(0L);
        } catch (StorageException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    SignatureVerifier signatures() {
        return signatures;
    }

    BlockExecutor executor() {
        return executor;
    }

    Account account(PeerId id) {
        lock.readLock().lock();
        try {
            return state.get(id);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs a read against the head state under the read lock (for the mempool). */
    <T> T withState(Function<Function<PeerId, Account>, T> read) {
        lock.readLock().lock();
        try {
            return read.apply(state::get);
        } finally {
            lock.readLock().unlock();
        }
    }

    long totalBalance() {
        lock.readLock().lock();
        try {
            return state.totalBalance();
        } finally {
            lock.readLock().unlock();
        }
    }

    Optional<BlockHeader> header(Hash h) {
        BlockHeader c = headerCache.get(h);
        if (c != null) {
            return Optional.of(c);
        }
        try {
            Optional<BlockHeader> r = store.header(h);
            r.ifPresent(x -> headerCache.put(h, x));
            return r;
        } catch (StorageException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Optional<BlockHeader> header(long height) {
        return hashAt(height).flatMap(this::header);
    }

    Optional<Hash> hashAt(long height) {
        try {
            return height > head.height() ? Optional.empty() : store.hashAt(height);
        } catch (StorageException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Optional<Block> block(Hash h) {
        try {
            Optional<BlockHeader> hd = header(h);
            if (hd.isEmpty()) {
                return Optional.empty();
            }
            Optional<byte[]> body = store.body(h);
            return body.map(b -> new Block(hd.get(), Block.decodeBody(b)));
        } catch (StorageException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Optional<byte[]> body(Hash h) {
        try {
            return store.body(h);
        } catch (StorageException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Optional<Block> block(long height) {
        return hashAt(height).flatMap(this::block);
    }

    boolean known(Hash h) {
        try {
            return headerCache.containsKey(h) || store.info(h).isPresent();
        } catch (StorageException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Optional<TransactionReceipt> transaction(Hash tx) {
        try {
            Optional<long[]> loc = store.txLocation(tx);
            if (loc.isEmpty()) {
                return Optional.empty();
            }
            long height = loc.get()[0];
            int index = (int) loc.get()[1];
            Optional<Block> b = block(height);
            if (b.isEmpty() || index >= b.get().transactions().size()) {
                return Optional.empty();
            }
            return Optional.of(new TransactionReceipt(b.get().transactions().get(index), height, b.get().hash(), index));
        } catch (StorageException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A chain view for engines: stored headers plus headers not stored yet (sync batches). */
    ChainView view(ChainSpec.ScheduleEntry segment, Map<Hash, BlockHeader> pending) {
        return new ChainView() {
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
                BlockHeader p = pending.get(hash);
                return p != null ? Optional.of(p) : Chain.this.header(hash);
            }

            @Override
            public boolean verifySignature(PeerId signer, byte[] data, byte[] signature) {
                return signatures.verifyPeerSignature(signer, data, signature);
            }
        };
    }

    /**
     * Checks a header against its parent: link, height, time, and the engine's rules. Returns the
     * engine, or empty if it is not installed.
     */
    Optional<ConsensusEngine> verifyHeader(BlockHeader parent, BlockHeader header, Map<Hash, BlockHeader> pending)
            throws InvalidBlockException {
        String where = "block #" + header.height() + " " + header.hash().shortHex();
        if (!header.parent().equals(parent.hash())) {
            throw new InvalidBlockException(where + ": parent " + header.parent().shortHex() + " is not " + parent.hash().shortHex());
        }
        if (header.height() != parent.height() + 1) {
            throw new InvalidBlockException(where + ": height should be " + (parent.height() + 1));
        }
        if (header.time() <= parent.time()) {
            throw new InvalidBlockException(where + ": time " + header.time() + " is not after its parent's " + parent.time());
        }
        long now = clock.getAsLong();
        if (header.time() > now + limits.maxFutureMillis()) {
            throw new InvalidBlockException(where + ": time " + header.time() + " is " + (header.time() - now)
                    + " ms in the future (limit " + limits.maxFutureMillis() + " ms)");
        }
        if (header.proposer().isEmpty()) {
            throw new InvalidBlockException(where + ": no proposer");
        }
        ChainSpec.ScheduleEntry segment = spec.engineAt(header.height());
        ConsensusEngine engine = engines.apply(segment.engine());
        if (engine == null) {
            return Optional.empty();
        }
        engine.verifyHeader(view(segment, pending), parent, header);
        return Optional.of(engine);
    }

    /** Checks what the body must match in the header: transaction count and root. */
    void verifyBody(Block block) throws InvalidBlockException {
        String where = "block #" + block.height() + " " + block.hash().shortHex();
        if (block.transactions().size() > limits.maxTransactions()) {
            throw new InvalidBlockException(where + ": " + block.transactions().size() + " transactions exceed the limit of "
                    + limits.maxTransactions());
        }
        Hash root = MerkleTree.transactionRoot(block.transactions());
        if (!root.equals(block.header().txRoot())) {
            throw new InvalidBlockException(where + ": transaction root " + block.header().txRoot().shortHex()
                    + " does not match its transactions' " + root.shortHex());
        }
    }

    /** Builds an unsealed block on the head state (the parent must be the head). */
    Block assemble(BlockHeader parent, long time, PeerId proposer, List<Transaction> candidates) {
        lock.readLock().lock();
        try {
            if (!parent.hash().equals(headHash)) {
                throw new IllegalStateException("can only build on the head " + headHash.shortHex() + ", not " + parent.hash().shortHex());
            }
            StateDelta delta = new StateDelta(state);
            List<Transaction> included = new ArrayList<>();
            Map<PeerId, Account> undo = new LinkedHashMap<>();
            for (Transaction t : candidates) {
                if (included.size() >= limits.maxTransactions()) {
                    break;
                }
                try {
                    executor.apply(t, t.hash(), proposer, delta, undo);
                    included.add(t);
                } catch (org.hyphae.ledger.InvalidTransactionException e) {
                    // Stale or unaffordable now: leave it out, the mempool drops it on the next head.
                }
            }
            BlockHeader h = new BlockHeader(parent.hash(), parent.height() + 1, time, MerkleTree.transactionRoot(included),
                    delta.root(), Optional.of(proposer), new byte[0]);
            List<Hash> ids = new ArrayList<>(included.size());
            for (Transaction t : included) {
                ids.add(t.hash());
            }
            executed = new Executed(parent.hash(), Hash.sha256(h.unsealedBytes()), delta, new BlockExecutor.Result(ids, undo));
            return new Block(h, included);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Checks a block's body and state root against the head (its parent) without applying it. */
    void validateOnHead(Block block) throws InvalidBlockException {
        verifyBody(block);
        lock.readLock().lock();
        try {
            if (!block.header().parent().equals(headHash) && !isResealed(block.header().parent(), head)) {
                throw new InvalidBlockException("block #" + block.height() + " does not build on the head");
            }
            StateDelta delta = new StateDelta(state);
            BlockExecutor.Result r = executor.execute(block, delta);
            checkStateRoot(block, delta);
            if (block.header().parent().equals(headHash)) {
                executed = new Executed(headHash, Hash.sha256(block.header().unsealedBytes()), delta, r);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * A block executed on the head's state before its import: the proposer's own assembly, or a BFT
     * validator's check of a proposal. The import that follows (the same block with its seal) takes
     * this state change instead of executing every transaction again.
     */
    private record Executed(Hash parent, Hash unsealed, StateDelta delta, BlockExecutor.Result result) {
    }

    private volatile Executed executed;
    private final java.util.concurrent.atomic.LongAdder reusedExecutions = new java.util.concurrent.atomic.LongAdder();

    /** Imports that took the state change of the block's assembly or check instead of executing it again. */
    long reusedExecutions() {
        return reusedExecutions.sum();
    }

    private static void checkStateRoot(Block block, StateDelta delta) throws InvalidBlockException {
        Hash root = delta.root();
        if (!root.equals(block.header().stateRoot())) {
            throw new InvalidBlockException("block #" + block.height() + " " + block.hash().shortHex() + ": state root "
                    + block.header().stateRoot().shortHex() + " does not match the state after its transactions, " + root.shortHex());
        }
    }

    /**
     * Verifies and applies a block.
     *
     * @return what became of it
     * @throws InvalidBlockException if it breaks a rule; nothing was changed
     * @throws StorageException if the store failed; nothing was acknowledged
     */
    synchronized Outcome importBlock(Block block) throws InvalidBlockException, StorageException {
        Outcome o = importUnhooked(block);
        if (o == Outcome.HEAD || o == Outcome.REORG || o == Outcome.SIDE) {
            onStored.accept(block.hash());
        }
        return o;
    }

    private Outcome importUnhooked(Block block) throws InvalidBlockException, StorageException {
        BlockHeader header = block.header();
        Hash hash = header.hash();
        if (store.info(hash).isPresent()) {
            return Outcome.KNOWN;
        }
        Optional<ChainStore.Info> parentInfo = store.info(header.parent());
        if (parentInfo.isEmpty()) {
            return Outcome.UNKNOWN_PARENT;
        }
        BlockHeader parent = header(header.parent()).orElseThrow();
        Optional<ConsensusEngine> engine = verifyHeader(parent, header, Map.of());
        if (engine.isEmpty()) {
            return Outcome.ENGINE_MISSING;
        }
        verifyBody(block);
        ChainSpec.ScheduleEntry segment = spec.engineAt(header.height());
        ChainView view = view(segment, Map.of());
        long weight = parentInfo.get().weight() + Math.max(1, engine.get().weight(view, header));
        if (header.parent().equals(headHash)) {
            extendHead(block, hash, weight);
            return Outcome.HEAD;
        }
        long finalized = finalizedHeight();
        if (header.height() - 1 < finalized && resealedCanonical(header)) {
            // The same block as ours with another valid seal (a BFT proposer's copy that came after a
            // validator sealed its own): no fork and no fault. Kept beside ours so that blocks built
            // on it link up (and reorganise onto it, state unchanged) instead of being refused.
            storeSide(block, hash, weight);
            LOG.log(System.Logger.Level.DEBUG, "chain " + spec.chainId() + ": block #" + header.height() + " " + hash.shortHex()
                    + " is the canonical block with another seal; kept beside it");
            return Outcome.SIDE;
        }
        if (header.height() - 1 < finalized) {
            throw new InvalidBlockException("block #" + header.height() + " " + hash.shortHex()
                    + " forks off below the finalized height " + finalized);
        }
        if (weight > headWeight) {
            reorg(block, hash, weight, finalized);
            return Outcome.REORG;
        }
        storeSide(block, hash, weight);
        return Outcome.SIDE;
    }

    private void storeSide(Block block, Hash hash, long weight) throws StorageException {
        BlockHeader header = block.header();
        try (Datastore.Batch b = store.datastore().batch()) {
            b.put(ChainStore.headerKey(hash), header.encode());
            b.put(ChainStore.bodyKey(hash), block.encodeBody());
            b.put(ChainStore.infoKey(hash), new ChainStore.Info(header.height(), weight).encode());
            b.commit();
        }
        headerCache.put(hash, header);
    }

    /**
     * Whether a header is the canonical block at its height with another seal: everything the seal
     * does not cover (parent, roots, time, proposer) equal. Its engine checked the seal already.
     */
    private boolean resealedCanonical(BlockHeader header) throws StorageException {
        if (header.height() > head.height()) {
            return false;
        }
        Optional<Hash> at = store.hashAt(header.height());
        return at.isPresent() && !at.get().equals(header.hash())
                && header(at.get()).map(c -> Arrays.equals(c.unsealedBytes(), header.unsealedBytes())).orElse(false);
    }

    /** Whether the stored block {@code hash} is {@code canonical} with another seal. */
    private boolean isResealed(Hash hash, BlockHeader canonical) {
        return header(hash).map(h -> h.height() == canonical.height() && Arrays.equals(h.unsealedBytes(), canonical.unsealedBytes()))
                .orElse(false);
    }

    /**
     * Imports consecutive blocks that extend the head, verified one by one as {@link #importBlock}
     * does, in one store batch (one commit, one fsync, for the lot: sync's bulk path). If any block
     * fails, nothing of this call is kept and the blocks go through {@link #importBlock} one at a
     * time, so the valid ones before the bad one are kept and the bad one throws its reason.
     *
     * @return how many blocks were imported
     */
    synchronized int importRun(List<Block> blocks) throws InvalidBlockException, StorageException {
        if (blocks.isEmpty()) {
            return 0;
        }
        if (!blocks.get(0).header().parent().equals(headHash) || blocks.size() == 1) {
            return importOneByOne(blocks);
        }
        Map<Hash, BlockHeader> pending = new java.util.HashMap<>();
        StateDelta delta = new StateDelta(state);
        List<BlockExecutor.Result> results = new ArrayList<>(blocks.size());
        List<Long> weights = new ArrayList<>(blocks.size());
        BlockHeader parent = head;
        long weight = headWeight;
        try {
            for (Block b : blocks) {
                BlockHeader h = b.header();
                if (!h.parent().equals(parent.hash())) {
                    throw new InvalidBlockException("block #" + h.height() + " does not follow #" + parent.height() + " in the run");
                }
                Optional<ConsensusEngine> engine = verifyHeader(parent, h, pending);
                if (engine.isEmpty()) {
                    return importOneByOne(blocks);
                }
                verifyBody(b);
                pending.put(h.hash(), h);
                BlockExecutor.Result r = executor.execute(b, delta);
                checkStateRoot(b, delta);
                weight += Math.max(1, engine.get().weight(view(spec.engineAt(h.height()), pending), h));
                results.add(r);
                weights.add(weight);
                parent = h;
            }
        } catch (InvalidBlockException e) {
            return importOneByOne(blocks);
        }
        try (Datastore.Batch batch = store.datastore().batch()) {
            for (int i = 0; i < blocks.size(); i++) {
                writeCanonical(batch, blocks.get(i), blocks.get(i).hash(), weights.get(i), results.get(i));
            }
            writeAccounts(batch, delta);
            batch.put(ChainStore.HEAD, parent.hash().bytes());
            batch.commit();
        }
        Block tip = blocks.get(blocks.size() - 1);
        lock.writeLock().lock();
        try {
            delta.foldInto();
            for (Block b : blocks) {
                headerCache.put(b.hash(), b.header());
            }
            head = tip.header();
            headHash = tip.hash();
            headWeight = weight;
        } finally {
            lock.writeLock().unlock();
        }
        fire(tip, List.of(), blocks);
        return blocks.size();
    }

    private int importOneByOne(List<Block> blocks) throws InvalidBlockException, StorageException {
        int n = 0;
        for (Block b : blocks) {
            Outcome o = importBlock(b);
            if (o == Outcome.UNKNOWN_PARENT || o == Outcome.ENGINE_MISSING) {
                break;
            }
            n++;
        }
        return n;
    }

    long finalizedHeight() {
        BlockHeader h = head;
        if (h.height() == 0) {
            return 0;
        }
        ChainSpec.ScheduleEntry segment = spec.engineAt(h.height());
        ConsensusEngine e = engines.apply(segment.engine());
        return e == null ? h.height() : e.finalizedHeight(view(segment, Map.of()), h);
    }

    private void extendHead(Block block, Hash hash, long weight) throws InvalidBlockException, StorageException {
        Executed before = executed;
        StateDelta delta;
        BlockExecutor.Result r;
        // The head cannot have moved since: its state is the one the block was executed on, and the
        // unsealed header (transaction root, state root and proposer included) is the same block.
        if (before != null && before.parent().equals(headHash) && before.unsealed().equals(Hash.sha256(block.header().unsealedBytes()))) {
            delta = before.delta();
            r = before.result();
            reusedExecutions.increment();
        } else {
            delta = new StateDelta(state);
            r = executor.execute(block, delta);
            checkStateRoot(block, delta);
        }
        executed = null;
        try (Datastore.Batch b = store.datastore().batch()) {
            writeCanonical(b, block, hash, weight, r);
            writeAccounts(b, delta);
            b.put(ChainStore.HEAD, hash.bytes());
            b.commit();
        }
        lock.writeLock().lock();
        try {
            delta.foldInto();
            headerCache.put(hash, block.header());
            head = block.header();
            headHash = hash;
            headWeight = weight;
        } finally {
            lock.writeLock().unlock();
        }
        fire(block, List.of(), List.of(block));
    }

    private static void writeCanonical(Datastore.Batch b, Block block, Hash hash, long weight, BlockExecutor.Result r) {
        b.put(ChainStore.headerKey(hash), block.header().encode());
        b.put(ChainStore.bodyKey(hash), block.encodeBody());
        b.put(ChainStore.infoKey(hash), new ChainStore.Info(block.height(), weight).encode());
        b.put(ChainStore.heightKey(block.height()), hash.bytes());
        b.put(ChainStore.undoKey(hash), ChainStore.encodeUndo(r.undo()));
        ChainStore.putTransactions(b, block.height(), r.txIds());
    }

    private static void writeAccounts(Datastore.Batch b, StateDelta delta) {
        delta.changes().forEach((id, a) -> {
            if (a.equals(Account.EMPTY)) {
                b.delete(ChainStore.accountKey(id));
            } else {
                b.put(ChainStore.accountKey(id), ChainStore.encodeAccount(a));
            }
        });
    }

    private void reorg(Block tip, Hash tipHash, long tipWeight, long finalized) throws InvalidBlockException, StorageException {
        // The new branch, from the tip back to the first block on the canonical chain.
        List<Block> branch = new ArrayList<>();
        branch.add(tip);
        Hash cursor = tip.header().parent();
        while (!isCanonical(cursor)) {
            Block b = block(cursor).orElseThrow(() -> new StorageException("side block missing from the store", null));
            branch.add(b);
            cursor = b.header().parent();
        }
        Collections.reverse(branch);
        BlockHeader ancestor = header(cursor).orElseThrow();
        if (ancestor.height() < finalized && !resealedUpTo(branch, finalized)) {
            throw new InvalidBlockException("block #" + tip.height() + " " + tipHash.shortHex() + ": its branch forks at height "
                    + ancestor.height() + ", below the finalized height " + finalized);
        }
        StateDelta delta = new StateDelta(state);
        List<Block> removed = new ArrayList<>();
        for (long h = head.height(); h > ancestor.height(); h--) {
            Hash hh = store.hashAt(h).orElseThrow();
            removed.add(block(hh).orElseThrow());
            Map<PeerId, Account> undo = store.undo(hh).orElseThrow(() -> new StorageException("no undo data for canonical block " + hh, null));
            undo.forEach(delta::put);
        }
        Collections.reverse(removed);
        List<BlockExecutor.Result> results = new ArrayList<>();
        for (Block b : branch) {
            BlockExecutor.Result r = executor.execute(b, delta);
            // Each block's own state root must hold at its height: check it on the accumulated state.
            checkStateRoot(b, delta);
            results.add(r);
        }
        try (Datastore.Batch batch = store.datastore().batch()) {
            for (Block r : removed) {
                batch.delete(ChainStore.undoKey(r.hash()));
                ChainStore.deleteTransactions(batch, r.transactions());
                batch.delete(ChainStore.heightKey(r.height()));
            }
            long w = store.info(branch.get(0).header().parent()).orElseThrow().weight();
            for (int i = 0; i < branch.size(); i++) {
                Block b = branch.get(i);
                Optional<ChainStore.Info> info = store.info(b.hash());
                long bw = i == branch.size() - 1 ? tipWeight : info.map(ChainStore.Info::weight).orElse(w);
                writeCanonical(batch, b, b.hash(), bw, results.get(i));
                w = bw;
            }
            writeAccounts(batch, delta);
            batch.put(ChainStore.HEAD, tipHash.bytes());
            batch.commit();
        }
        lock.writeLock().lock();
        try {
            delta.foldInto();
            for (Block b : branch) {
                headerCache.put(b.hash(), b.header());
            }
            head = tip.header();
            headHash = tipHash;
            headWeight = tipWeight;
        } finally {
            lock.writeLock().unlock();
        }
        LOG.log(System.Logger.Level.INFO, "chain " + spec.chainId() + ": reorg at height " + ancestor.height() + ": "
                + removed.size() + " block(s) out, " + branch.size() + " in, head #" + tip.height() + " " + tipHash.shortHex());
        fire(tip, removed, branch);
    }

    /** Whether every block of a branch at or below the finalized height is a canonical block with another seal. */
    private boolean resealedUpTo(List<Block> branch, long finalized) throws StorageException {
        for (Block b : branch) {
            if (b.height() <= finalized && !resealedCanonical(b.header())) {
                return false;
            }
        }
        return true;
    }

    private boolean isCanonical(Hash h) throws StorageException {
        Optional<ChainStore.Info> i = store.info(h);
        if (i.isEmpty()) {
            return false;
        }
        return store.hashAt(i.get().height()).map(h::equals).orElse(false) && i.get().height() <= head.height();
    }

    private void fire(Block headBlock, List<Block> removed, List<Block> added) {
        for (Listener l : listeners) {
            try {
                l.onHead(headBlock, removed, added);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "chain listener " + l + " failed on head #" + headBlock.height(), e);
            }
        }
    }
}
