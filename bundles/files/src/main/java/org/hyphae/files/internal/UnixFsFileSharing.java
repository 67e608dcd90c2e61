package org.hyphae.files.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import org.hyphae.discovery.ContentRouting;
import org.hyphae.exchange.BlockExchange;
import org.hyphae.exchange.ExchangeSession;
import org.hyphae.files.FileSharing;
import org.hyphae.files.ImportOptions;
import org.hyphae.files.Pin;
import org.hyphae.files.ProgressListener;
import org.hyphae.files.Transfer;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@link FileSharing} over the bound {@link BlockStore}: UnixFS import and export, pins in the
 * {@link Datastore} (under {@code /hyphae/pins/<cid>}) when one is bound, else in memory. Follows
 * the storage selection ({@link BlockStore#SELECTION_PID}): its references are named
 * {@code blockStore} and {@code datastore}, dynamic and greedy, and each operation reads the current
 * store once. Fetching from peers goes through the {@link BlockExchange} (Bitswap) when one is bound;
 * roots of adds and fetches are provided through {@link ContentRouting} (the DHT) when it is bound.
 * Imports and fetches hold a shared lock that garbage collection takes exclusively, so it never
 * deletes the not-yet-pinned blocks of a running import or fetch.
 */
@Component(service = FileSharing.class, configurationPid = {BlockStore.SELECTION_PID, UnixFsFileSharing.PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class UnixFsFileSharing implements FileSharing {

    private static final byte[] PIN_PREFIX = "/hyphae/pins/".getBytes(StandardCharsets.UTF_8);

    @Reference(name = BlockStore.REFERENCE_NAME, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BlockStore blockStore;

    @Reference(name = Datastore.REFERENCE_NAME, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Datastore datastore;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BlockExchange exchange;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ContentRouting contentRouting;

    private static final System.Logger LOG = System.getLogger(UnixFsFileSharing.class.getName());

    /** Configuration PID of the file-sharing settings. */
    static final String PID = "org.hyphae.files";
    /**
     * Property ({@value}, default true): a get keeps the raw leaves it writes as references into
     * its output file ({@link BlockStore#putReference}) rather than as block files: the bytes are
     * on disk once. With all memory of the host held (benchmarks/README, session 15) it fetched a
     * 1 GiB file on tmpfs 3-6 % faster than copies, with 0.4 core-s less per GiB; on a disk it also
     * spares the second write, and syncs once per batch of leaves (session 16: 243 MB/s against 74
     * with copies, each synced on its own). (Session 14 found it 20-30 % slower, in runs
     * without all memory held, where writes to fresh pages were slow: likely, not proven, the cause.)
     */
    static final String LEAVES_AS_REFERENCES = "leavesAsReferences";
    /** {@value #LEAVES_AS_REFERENCES} when unset, for a node built without Config Admin (tests) as well. */
    private static final boolean LEAVES_AS_REFERENCES_DEFAULT = true;

    private volatile boolean leavesAsReferences = LEAVES_AS_REFERENCES_DEFAULT;

    /** Blocks requested at once by a fetch. */
    static final int FETCH_WINDOW = 256;

    /**
     * Fetched bytes {@link #get} holds for its export; beyond, the export reads them back from the
     * store. Twice the window's worth of 256 KiB blocks: the fetch requests more only while what is
     * held and what it has requested fit (see {@link FetchedBlocks}).
     */
    static final long GET_BUFFER_BYTES = 128L << 20;

    /** Shared by imports and fetches, exclusive for garbage collection. */
    private final ReadWriteLock gcLock = new ReentrantReadWriteLock();

    /** The fetches running now, for {@link #transfers()}. */
    private final java.util.Set<RunningFetch> fetches = ConcurrentHashMap.newKeySet();

    /** Pins while no datastore is bound. */
    private final Map<Cid, Pin> memoryPins = new ConcurrentHashMap<>();

    /** For DS. */
    public UnixFsFileSharing() {
    }

    /**
     * For tests and embedding without DS.
     *
     * @param blockStore where blocks go
     * @param datastore where pins go, or {@code null} to keep them in memory
     */
    public UnixFsFileSharing(BlockStore blockStore, Datastore datastore) {
        this(blockStore, datastore, null, null);
    }

    /**
     * For tests and embedding without DS, with fetching and providing.
     *
     * @param blockStore where blocks go
     * @param datastore where pins go, or {@code null} to keep them in memory
     * @param exchange where fetches get blocks, or {@code null}
     * @param routing where roots are provided, or {@code null}
     */
    public UnixFsFileSharing(BlockStore blockStore, Datastore datastore, BlockExchange exchange, ContentRouting routing) {
        this.blockStore = blockStore;
        this.datastore = datastore;
        this.exchange = exchange;
        this.contentRouting = routing;
    }

    /** Reads {@value #LEAVES_AS_REFERENCES}; a changed storage selection rebinds the references itself. */
    @org.osgi.service.component.annotations.Activate
    @Modified
    void configure(Map<String, Object> properties) {
        leavesAsReferences(Boolean.parseBoolean(String.valueOf(properties.getOrDefault(LEAVES_AS_REFERENCES, LEAVES_AS_REFERENCES_DEFAULT))));
    }

    /** Whether a get keeps its raw leaves as references into its output (see {@link #LEAVES_AS_REFERENCES}). */
    void leavesAsReferences(boolean on) {
        leavesAsReferences = on;
    }

    private BlockStore store() {
        BlockStore store = blockStore;
        if (store == null) {
            throw new IllegalStateException("no block store is bound (is a storage bundle running?)");
        }
        return store;
    }

    @Override
    public Cid add(InputStream data, ImportOptions options, ProgressListener progress) throws IOException {
        gcLock.readLock().lock();
        try {
            return new UnixFsImporter(store(), options, progress, -1).importFile(data).cid();
        } finally {
            gcLock.readLock().unlock();
        }
    }

    @Override
    public Cid add(Path path, ImportOptions options, ProgressListener progress) throws IOException {
        long total = UnixFsImporter.sizeOf(path);
        Cid root;
        gcLock.readLock().lock();
        try {
            root = new UnixFsImporter(store(), options, progress, total).importPath(path).cid();
            Path name = path.toAbsolutePath().normalize().getFileName();
            pin(root, name == null ? "" : name.toString());
        } finally {
            gcLock.readLock().unlock();
        }
        provide(root);
        return root;
    }

    @Override
    public long cat(Cid root, OutputStream out, ProgressListener progress) throws IOException {
        return new UnixFsExporter(store()).cat(root, out, progress);
    }

    @Override
    public void export(Cid root, Path target, ProgressListener progress) throws IOException {
        new UnixFsExporter(store()).export(root, target, progress);
    }

    @Override
    public List<Entry> list(Cid root) throws IOException {
        return new UnixFsExporter(store()).list(root);
    }

    @Override
    public void pin(Cid root, String name) throws IOException {
        Datastore ds = datastore;
        if (ds == null) {
            memoryPins.putIfAbsent(root, new Pin(root, name, Instant.now()));
            return;
        }
        byte[] key = pinKey(root);
        if (!ds.has(key)) {
            ds.put(key, encodePin(name, Instant.now()));
        }
    }

    @Override
    public boolean unpin(Cid root) throws IOException {
        Datastore ds = datastore;
        if (ds == null) {
            return memoryPins.remove(root) != null;
        }
        byte[] key = pinKey(root);
        if (!ds.has(key)) {
            return false;
        }
        ds.delete(key);
        return true;
    }

    @Override
    public List<Pin> pins() throws IOException {
        Datastore ds = datastore;
        List<Pin> result = new ArrayList<>();
        if (ds == null) {
            result.addAll(memoryPins.values());
        } else {
            try (Cursor<org.hyphae.storage.Entry> cursor = ds.scan(KeyRange.prefix(PIN_PREFIX))) {
                while (cursor.hasNext()) {
                    org.hyphae.storage.Entry entry = cursor.next();
                    byte[] key = entry.key();
                    Cid cid = Cid.decode(Arrays.copyOfRange(key, PIN_PREFIX.length, key.length));
                    result.add(decodePin(cid, entry.value()));
                }
            }
        }
        result.sort(Comparator.comparing(pin -> pin.root().toString()));
        return result;
    }

    @Override
    public void fetch(Cid root, ProgressListener progress) throws IOException {
        fetch(root, progress, DagFetcher.Arrivals.NONE);
    }

    /**
     * Fetches on a thread of its own and exports on the caller's as the blocks arrive (as Helia's
     * {@code cat} streams), so the file is not read back from the store after the fetch. The raw
     * leaves are stored once the exporter has written them, as references into the file
     * ({@link FetchedBlocks}). An export that fails (a DAG whose sizes do not add up) stops the
     * fetch; a fetch that fails stops the export, and the partial file is removed as
     * {@link #export} does. The blocks fetched stay. The root is pinned when the export is done and
     * every block is stored, and garbage collection waits for all of it.
     */
    @Override
    public void get(Cid root, Path target, ProgressListener progress) throws IOException {
        UnixFsExporter.refuseExisting(target);
        BlockExchange ex = exchange(root);
        gcLock.readLock().lock();
        try {
            fetchAndExport(root, target, progress, ex);
            pin(root, "");
        } finally {
            gcLock.readLock().unlock();
        }
        provide(root);
    }

    private void fetchAndExport(Cid root, Path target, ProgressListener progress, BlockExchange ex) throws IOException {
        FetchedBlocks arrivals = new FetchedBlocks(store(), GET_BUFFER_BYTES, ex::announce, leavesAsReferences);
        CompletableFuture<Void> fetched = new CompletableFuture<>();
        Thread fetcher = new Thread(() -> {
            try {
                fetchUnpinned(root, progress, arrivals);
                arrivals.finished();
                fetched.complete(null);
            } catch (IOException e) {
                arrivals.failed(e);
                fetched.completeExceptionally(e);
            } catch (RuntimeException | Error e) {
                arrivals.failed(new IOException("fetch of " + root + " failed: " + e, e));
                fetched.completeExceptionally(e);
            }
        }, "hyphae-get-" + root);
        fetcher.setDaemon(true);
        fetcher.start();
        try {
            new UnixFsExporter(arrivals).export(root, target, null);
        } catch (IOException | RuntimeException e) {
            fetcher.interrupt();
            try {
                arrivals.exportEnded();
            } catch (IOException stored) {
                e.addSuppressed(stored);
            }
            throw e;
        }
        arrivals.exportEnded(); // stores what it still holds, and a block it never took no longer holds the fetch back
        if (arrivals.storeReads() > 0) {
            // Each one was read and hashed once more: the disk or the export could not keep up.
            LOG.log(System.Logger.Level.INFO, "get " + root + ": " + arrivals.storeReads()
                    + " block(s) read back from the store, not handed over by the fetch");
        }
        try {
            fetched.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the fetch of " + root + " finished");
        } catch (ExecutionException e) {
            // The export had every block, so this is the store failing after it.
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("fetch of " + root + " failed after its export: " + cause, cause);
        }
    }

    private BlockExchange exchange(Cid root) {
        BlockExchange ex = exchange;
        if (ex == null) {
            throw new IllegalStateException("fetching " + root + " needs a block exchange (the Bitswap bundle), and none is running");
        }
        return ex;
    }

    private void fetch(Cid root, ProgressListener progress, DagFetcher.Arrivals arrivals) throws IOException {
        gcLock.readLock().lock();
        try {
            fetchUnpinned(root, progress, arrivals);
            pin(root, "");
        } finally {
            gcLock.readLock().unlock();
        }
        provide(root);
    }

    /**
     * Fetches a DAG; pins nothing. The caller holds off garbage collection (the read side of the gc
     * lock) from before the fetch until the pin, so it is not taken again here.
     */
    private void fetchUnpinned(Cid root, ProgressListener progress, DagFetcher.Arrivals arrivals) throws IOException {
        BlockExchange ex = exchange(root);
        BlockStore store = store();
        RunningFetch running = new RunningFetch(root, progress);
        fetches.add(running);
        try (ExchangeSession session = ex.newSession(root.toString())) {
            new DagFetcher(store, session, running, FETCH_WINDOW, arrivals).fetch(root);
        } finally {
            fetches.remove(running);
        }
    }

    @Override
    public List<Transfer> transfers() {
        return fetches.stream().sorted(Comparator.comparing(RunningFetch::started)).map(RunningFetch::snapshot)
                .toList();
    }

    /** Announces a root through the DHT, if there is one; failures are logged, not thrown. */
    private void provide(Cid root) {
        ContentRouting routing = contentRouting;
        if (routing == null) {
            return;
        }
        try {
            routing.provide(root).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.log(System.Logger.Level.WARNING, "could not provide " + root + ": " + e.getMessage());
                }
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not provide " + root + ": " + e.getMessage());
        }
    }

    @Override
    public GcResult collectGarbage() throws IOException {
        BlockStore store = store();
        if (!gcLock.writeLock().tryLock()) {
            throw new IllegalStateException("an import or fetch is running; garbage collection would delete its unpinned blocks");
        }
        try {
            java.util.Set<Cid> live = new java.util.HashSet<>();
            ArrayList<Cid> stack = new ArrayList<>();
            for (Pin pin : pins()) {
                stack.add(pin.root());
            }
            while (!stack.isEmpty()) {
                Cid cid = stack.remove(stack.size() - 1);
                if (!live.add(cid) || cid.codec() != org.hyphae.multiformats.Multicodec.DAG_PB.code()) {
                    continue;
                }
                java.util.Optional<byte[]> bytes = store.get(cid);
                if (bytes.isEmpty()) {
                    continue;
                }
                try {
                    for (DagPb.Link link : DagPb.decode(bytes.get()).links()) {
                        stack.add(link.hash());
                    }
                } catch (IOException e) {
                    // A pinned block that is not dag-pb after all: kept, but it links to nothing.
                }
            }
            List<Cid> dead = new ArrayList<>();
            try (Cursor<Cid> cids = store.cids()) {
                while (cids.hasNext()) {
                    Cid cid = cids.next();
                    if (!live.contains(cid)) {
                        dead.add(cid);
                    }
                }
            }
            long bytes = 0;
            long removed = 0;
            for (Cid cid : dead) {
                long size = store.size(cid).orElse(0);
                if (store.delete(cid)) {
                    removed++;
                    bytes += size;
                }
            }
            long kept = 0;
            for (Cid cid : live) {
                if (store.has(cid)) {
                    kept++;
                }
            }
            return new GcResult(removed, bytes, kept);
        } finally {
            gcLock.writeLock().unlock();
        }
    }

    private static byte[] pinKey(Cid cid) {
        byte[] cidBytes = cid.bytes();
        byte[] key = Arrays.copyOf(PIN_PREFIX, PIN_PREFIX.length + cidBytes.length);
        System.arraycopy(cidBytes, 0, key, PIN_PREFIX.length, cidBytes.length);
        return key;
    }

    /** {@code 1: name (string), 2: pinned at (unix millis)}. */
    private static byte[] encodePin(String name, Instant since) throws IOException {
        byte[] out = new byte[CodedOutputStream.computeStringSize(1, name)
                + CodedOutputStream.computeInt64Size(2, since.toEpochMilli())];
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        coded.writeString(1, name);
        coded.writeInt64(2, since.toEpochMilli());
        coded.checkNoSpaceLeft();
        return out;
    }

    private static Pin decodePin(Cid cid, byte[] value) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(value);
        String name = "";
        long millis = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> name = in.readString();
                case 2 -> millis = in.readInt64();
                default -> in.skipField(tag);
            }
        }
        return new Pin(cid, name, Instant.ofEpochMilli(millis));
    }
}
