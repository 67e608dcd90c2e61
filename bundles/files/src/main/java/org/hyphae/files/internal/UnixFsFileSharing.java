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
import java.util.concurrent.ConcurrentHashMap;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import org.hyphae.files.FileSharing;
import org.hyphae.files.ImportOptions;
import org.hyphae.files.Pin;
import org.hyphae.files.ProgressListener;
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
 * store once. Fetching from peers comes with the Bitswap bundle.
 */
@Component(service = FileSharing.class, configurationPid = BlockStore.SELECTION_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class UnixFsFileSharing implements FileSharing {

    private static final byte[] PIN_PREFIX = "/hyphae/pins/".getBytes(StandardCharsets.UTF_8);

    @Reference(name = BlockStore.REFERENCE_NAME, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BlockStore blockStore;

    @Reference(name = Datastore.REFERENCE_NAME, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Datastore datastore;

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
        this.blockStore = blockStore;
        this.datastore = datastore;
    }

    /** A changed storage selection rebinds the references; nothing else to do. */
    @Modified
    void modified() {
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
        return new UnixFsImporter(store(), options, progress, -1).importFile(data).cid();
    }

    @Override
    public Cid add(Path path, ImportOptions options, ProgressListener progress) throws IOException {
        long total = UnixFsImporter.sizeOf(path);
        Cid root = new UnixFsImporter(store(), options, progress, total).importPath(path).cid();
        Path name = path.toAbsolutePath().normalize().getFileName();
        pin(root, name == null ? "" : name.toString());
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
    public void fetch(Cid root, ProgressListener progress) {
        throw new UnsupportedOperationException("fetching " + root + " from peers needs Bitswap, which is not installed yet");
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
