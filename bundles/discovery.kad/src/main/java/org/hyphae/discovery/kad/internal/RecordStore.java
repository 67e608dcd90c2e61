package org.hyphae.discovery.kad.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.identity.PeerId;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Multiaddr;

/**
 * Value records and provider records this node stores for the DHT. Kept in memory and, when a
 * {@link Datastore} is bound, written through to it under {@code /kad/v/} and {@code /kad/p/}, and
 * loaded back from it when it is bound, so a restart keeps them. Expired records are dropped by
 * {@link #expire(long)} and never returned.
 */
public final class RecordStore {

    private static final System.Logger LOG = System.getLogger(RecordStore.class.getName());
    private static final byte[] VALUES = "/kad/v/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROVIDERS = "/kad/p/".getBytes(StandardCharsets.US_ASCII);
    /** Most providers kept per key: a flood of ADD_PROVIDER for one key cannot grow it without bound. */
    public static final int MAX_PROVIDERS_PER_KEY = 100;
    /** Most keys kept (values and provider keys each). */
    public static final int MAX_KEYS = 100_000;

    /** A stored value record with its local expiry (epoch ms). */
    public record StoredValue(byte[] key, byte[] value, String timeReceived, long expiresAt) { }

    /** A provider with its expiry (epoch ms). */
    public record Provider(PeerId peer, List<Multiaddr> addresses, long expiresAt) { }

    private final Supplier<Datastore> datastore;
    private final Map<Key, StoredValue> values = new ConcurrentHashMap<>();
    private final Map<Key, Map<PeerId, Provider>> providers = new ConcurrentHashMap<>();

    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** @param datastore the currently bound datastore, or null when none is */
    public RecordStore(Supplier<Datastore> datastore) {
        this.datastore = datastore;
    }

    public void putValue(byte[] key, byte[] value, String timeReceived, long expiresAt) throws StorageException {
        if (!values.containsKey(new Key(key)) && values.size() >= MAX_KEYS) {
            throw new StorageException("DHT value store full (" + MAX_KEYS + " keys)", null);
        }
        StoredValue v = new StoredValue(key.clone(), value.clone(), timeReceived, expiresAt);
        Datastore ds = datastore.get();
        if (ds != null && persistable(key)) {
            ds.put(concat(VALUES, hex(key)), encodeValue(v));
        }
        values.put(new Key(v.key()), v);
    }

    public Optional<StoredValue> getValue(byte[] key, long now) {
        StoredValue v = values.get(new Key(key));
        return v == null || v.expiresAt() <= now ? Optional.empty() : Optional.of(v);
    }

    public void addProvider(byte[] key, PeerId peer, List<Multiaddr> addresses, long expiresAt) throws StorageException {
        Map<PeerId, Provider> map = providers.computeIfAbsent(new Key(key.clone()), k -> new ConcurrentHashMap<>());
        if (!map.containsKey(peer) && map.size() >= MAX_PROVIDERS_PER_KEY) {
            return;
        }
        Provider p = new Provider(peer, List.copyOf(addresses), expiresAt);
        Datastore ds = datastore.get();
        if (ds != null && persistable(key)) {
            ds.put(providerKey(key, peer), encodeProvider(p));
        }
        map.put(peer, p);
    }

    public List<Provider> providers(byte[] key, long now) {
        Map<PeerId, Provider> map = providers.get(new Key(key));
        List<Provider> out = new ArrayList<>();
        if (map != null) {
            for (Provider p : map.values()) {
                if (p.expiresAt() > now) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    public int valueCount() {
        return values.size();
    }

    public int providerKeyCount() {
        return providers.size();
    }

    /** Drops expired records, from memory and the datastore. */
    public void expire(long now) {
        Datastore ds = datastore.get();
        values.entrySet().removeIf(e -> {
            if (e.getValue().expiresAt() > now) {
                return false;
            }
            delete(ds, concat(VALUES, hex(e.getKey().bytes())));
            return true;
        });
        providers.entrySet().removeIf(e -> {
            e.getValue().entrySet().removeIf(p -> {
                if (p.getValue().expiresAt() > now) {
                    return false;
                }
                delete(ds, providerKey(e.getKey().bytes(), p.getKey()));
                return true;
            });
            return e.getValue().isEmpty();
        });
    }

    /** Loads what a datastore holds (called when one is bound); damaged entries are logged and skipped. */
    public void load(Datastore ds, long now) throws StorageException {
        int loaded = 0;
        try (Cursor<Entry> c = ds.scan(KeyRange.prefix(VALUES))) {
            while (c.hasNext()) {
                Entry e = c.next();
                try {
                    StoredValue v = decodeValue(e.value());
                    if (v.expiresAt() > now) {
                        values.put(new Key(v.key()), v);
                        loaded++;
                    }
                } catch (IOException | RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "skipping damaged DHT value record "
                            + new String(e.key(), StandardCharsets.US_ASCII) + ": " + ex.getMessage());
                }
            }
        } catch (StorageException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException("closing a datastore cursor failed: " + e.getMessage(), e);
        }
        try (Cursor<Entry> c = ds.scan(KeyRange.prefix(PROVIDERS))) {
            while (c.hasNext()) {
                Entry e = c.next();
                try {
                    String rest = new String(e.key(), PROVIDERS.length, e.key().length - PROVIDERS.length,
                            StandardCharsets.US_ASCII);
                    int slash = rest.indexOf('/');
                    byte[] key = HexFormat.of().parseHex(rest.substring(0, slash));
                    PeerId peer = PeerId.fromBytes(HexFormat.of().parseHex(rest.substring(slash + 1)));
                    Provider p = decodeProvider(peer, e.value());
                    if (p.expiresAt() > now) {
                        providers.computeIfAbsent(new Key(key), k -> new ConcurrentHashMap<>()).put(peer, p);
                        loaded++;
                    }
                } catch (IOException | RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "skipping damaged DHT provider record "
                            + new String(e.key(), StandardCharsets.US_ASCII) + ": " + ex.getMessage());
                }
            }
        } catch (StorageException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException("closing a datastore cursor failed: " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.DEBUG, "loaded " + loaded + " DHT records from the datastore");
    }

    /** Writes what memory holds into a newly bound datastore. */
    public void saveAll(Datastore ds) throws StorageException {
        for (StoredValue v : values.values()) {
            if (persistable(v.key())) {
                ds.put(concat(VALUES, hex(v.key())), encodeValue(v));
            }
        }
        for (Map.Entry<Key, Map<PeerId, Provider>> e : providers.entrySet()) {
            if (persistable(e.getKey().bytes())) {
                for (Provider p : e.getValue().values()) {
                    ds.put(providerKey(e.getKey().bytes(), p.peer()), encodeProvider(p));
                }
            }
        }
    }

    /** Peers as found: for the API. */
    public static PeerAddresses toAddresses(Provider p) {
        return new PeerAddresses(p.peer(), p.addresses());
    }

    private static boolean persistable(byte[] key) {
        // hex doubles the length; peer ids are at most ~42 bytes, so this fits Datastore.MAX_KEY_LENGTH.
        return key.length <= 400;
    }

    private static void delete(Datastore ds, byte[] key) {
        if (ds == null) {
            return;
        }
        try {
            ds.delete(key);
        } catch (StorageException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete expired DHT record "
                    + new String(key, StandardCharsets.US_ASCII) + ": " + e.getMessage());
        }
    }

    private static byte[] providerKey(byte[] key, PeerId peer) {
        return concat(PROVIDERS, (HexFormat.of().formatHex(key) + "/" + HexFormat.of().formatHex(peer.bytes()))
                .getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hex(byte[] key) {
        return HexFormat.of().formatHex(key).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] encodeValue(StoredValue v) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeByteArray(1, v.key());
            out.writeByteArray(2, v.value());
            out.writeString(3, v.timeReceived());
            out.writeInt64(4, v.expiresAt());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static StoredValue decodeValue(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        byte[] key = null;
        byte[] value = new byte[0];
        String time = "";
        long expires = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> key = in.readByteArray();
                case 2 -> value = in.readByteArray();
                case 3 -> time = in.readString();
                case 4 -> expires = in.readInt64();
                default -> in.skipField(tag);
            }
        }
        if (key == null) {
            throw new IOException("record without a key");
        }
        return new StoredValue(key, value, time, expires);
    }

    static byte[] encodeProvider(Provider p) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeInt64(1, p.expiresAt());
            for (Multiaddr a : p.addresses()) {
                out.writeByteArray(2, a.bytes());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Provider decodeProvider(PeerId peer, byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        long expires = 0;
        List<Multiaddr> addrs = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag >>> 3) {
                case 1 -> expires = in.readInt64();
                case 2 -> addrs.add(Multiaddr.decode(in.readByteArray()));
                default -> in.skipField(tag);
            }
        }
        return new Provider(peer, addrs, expires);
    }
}
