package org.hyphae.storage.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code hyphae:storage}, and the work behind {@code hyphae:storage-use} and
 * {@code hyphae:storage-migrate} (registered as {@link HyphenatedCommand}s, since Gogo maps other
 * command names to Java method names). Borrows every store of every kind while a command runs, and
 * reads and writes the selection configuration ({@link BlockStore#SELECTION_PID}) that consumers
 * follow.
 */
@Component(service = StorageCommands.class, property = {
        "osgi.command.scope=hyphae",
        "osgi.command.function=storage"})
public final class StorageCommands {

    /** The kind consumers use when nothing is configured. */
    static final String DEFAULT_KIND = "fs";

    private final BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configurationAdmin;

    /**
     * Looks stores up when a command runs instead of holding references: the node's status calls an
     * implementation active when another bundle holds it, and this bundle holding every kind would
     * make every kind look active.
     *
     * @param context this bundle's context
     */
    @Activate
    public StorageCommands(BundleContext context) {
        this.context = context;
    }

    /** Stores of one contract by kind, borrowed until {@link #close()}. */
    private final class Borrowed<T> implements AutoCloseable {
        final Map<String, T> byKind = new TreeMap<>();
        private final List<ServiceReference<T>> held = new java.util.ArrayList<>();

        Borrowed(Class<T> type) {
            try {
                for (ServiceReference<T> ref : context.getServiceReferences(type, "(" + BlockStore.KIND_PROPERTY + "=*)")) {
                    T service = context.getService(ref);
                    if (service != null) {
                        held.add(ref);
                        byKind.putIfAbsent(String.valueOf(ref.getProperty(BlockStore.KIND_PROPERTY)), service);
                    }
                }
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            for (ServiceReference<T> ref : held) {
                try {
                    context.ungetService(ref);
                } catch (IllegalStateException e) {
                    // this bundle is stopping; the framework releases it anyway
                }
            }
        }
    }

    @Descriptor("show the active storage kind and, for each installed kind, its block and datastore counts and sizes")
    public String storage() {
        StringBuilder out = new StringBuilder();
        out.append("active kind: ").append(activeKind()).append("  (set with hyphae:storage-use <kind>)\n");
        try (Borrowed<BlockStore> blocks = new Borrowed<>(BlockStore.class);
                Borrowed<Datastore> data = new Borrowed<>(Datastore.class)) {
            TreeMap<String, Boolean> kinds = new TreeMap<>();
            blocks.byKind.keySet().forEach(k -> kinds.put(k, true));
            data.byKind.keySet().forEach(k -> kinds.put(k, true));
            if (kinds.isEmpty()) {
                out.append("no store is installed");
            }
            for (String kind : kinds.keySet()) {
                out.append(String.format("%-8s blocks: %-28s datastore: %s%n", kind,
                        describe(blocks.byKind.get(kind)), describe(data.byKind.get(kind))));
            }
        }
        return out.toString().stripTrailing();
    }

    private static String describe(BlockStore store) {
        if (store == null) {
            return "(none)";
        }
        try {
            return format(store.stats());
        } catch (StorageException e) {
            return "error: " + e.getMessage();
        }
    }

    private static String describe(Datastore store) {
        if (store == null) {
            return "(none)";
        }
        try {
            return format(store.stats());
        } catch (StorageException e) {
            return "error: " + e.getMessage();
        }
    }

    private static String format(StoreStats stats) {
        return stats.count() + " (" + human(stats.bytes()) + ")";
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }

    /** The kind the selection configuration names, or the default. */
    String activeKind() {
        ConfigurationAdmin admin = configurationAdmin;
        if (admin == null) {
            return DEFAULT_KIND + " (default; Config Admin is not running)";
        }
        try {
            Configuration[] found = admin.listConfigurations("(service.pid=" + BlockStore.SELECTION_PID + ")");
            if (found == null || found.length == 0 || found[0].getProperties() == null) {
                return DEFAULT_KIND + " (default)";
            }
            Object target = found[0].getProperties().get(BlockStore.REFERENCE_NAME + ".target");
            return target == null ? DEFAULT_KIND + " (default)" : String.valueOf(target)
                    .replace("(" + BlockStore.KIND_PROPERTY + "=", "").replace(")", "");
        } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    @Descriptor("make <kind> the active storage kind: consumers rebind to it once their in-flight writes drain")
    public String storageUse(@Descriptor("fs, memory, jdbc, ...") String kind) throws IOException {
        if (!kind.matches("[A-Za-z0-9_.-]+")) {
            return "not a storage kind: " + kind;
        }
        ConfigurationAdmin admin = configurationAdmin;
        if (admin == null) {
            return "Config Admin is not running; cannot change the active storage kind";
        }
        try (Borrowed<BlockStore> blocks = new Borrowed<>(BlockStore.class);
                Borrowed<Datastore> data = new Borrowed<>(Datastore.class)) {
            if (!blocks.byKind.containsKey(kind) || !data.byKind.containsKey(kind)) {
                return "no " + kind + " store is active (block stores: " + blocks.byKind.keySet() + ", datastores: "
                        + data.byKind.keySet() + "); consumers would wait for one. Not changed.";
            }
        }
        Configuration configuration = admin.getConfiguration(BlockStore.SELECTION_PID, "?");
        Dictionary<String, Object> properties = configuration.getProperties();
        if (properties == null) {
            properties = new Hashtable<>();
        }
        String filter = "(" + BlockStore.KIND_PROPERTY + "=" + kind + ")";
        properties.put(BlockStore.REFERENCE_NAME + ".target", filter);
        properties.put(Datastore.REFERENCE_NAME + ".target", filter);
        configuration.update(properties);
        return "active storage kind is now " + kind
                + " (copy existing data first with hyphae:storage-migrate <from> " + kind + ")";
    }

    /** The kinds that have both an active block store and an active datastore now, sorted. */
    java.util.List<String> completeKinds() {
        try (Borrowed<BlockStore> blocks = new Borrowed<>(BlockStore.class);
                Borrowed<Datastore> data = new Borrowed<>(Datastore.class)) {
            return blocks.byKind.keySet().stream().filter(data.byKind::containsKey).sorted().toList();
        }
    }

    @Descriptor("copy every block and datastore entry from one kind to another, then verify the copy")
    public String storageMigrate(@Descriptor("source kind") String from, @Descriptor("target kind") String to,
            PrintStream console) throws StorageException {
        if (from.equals(to)) {
            return "source and target are the same kind: " + from;
        }
        try (Borrowed<BlockStore> blocks = new Borrowed<>(BlockStore.class);
                Borrowed<Datastore> data = new Borrowed<>(Datastore.class)) {
            BlockStore fromBlocks = blocks.byKind.get(from);
            BlockStore toBlocks = blocks.byKind.get(to);
            Datastore fromData = data.byKind.get(from);
            Datastore toData = data.byKind.get(to);
            if (fromBlocks == null || toBlocks == null || fromData == null || toData == null) {
                return "both kinds need an active block store and datastore; block stores: " + blocks.byKind.keySet()
                        + ", datastores: " + data.byKind.keySet();
            }
            long start = System.nanoTime();
            StoreMigration.Result result = new StoreMigration(line -> console.println("  " + line))
                    .migrate(fromBlocks, toBlocks, fromData, toData);
            return String.format("migrated %s -> %s in %.1f s: %d blocks copied (%s), %d already there, "
                    + "%d datastore entries; all verified", from, to, (System.nanoTime() - start) / 1e9,
                    result.blocksCopied(), human(result.blockBytes()), result.blocksPresent(), result.entriesCopied());
        }
    }
}
