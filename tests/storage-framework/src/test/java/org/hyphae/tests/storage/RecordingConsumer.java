package org.hyphae.tests.storage;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.base.StoreGate;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * A store consumer written the way the storage API asks: it follows the selection configuration
 * ({@link BlockStore#SELECTION_PID}), holds its datastore through a dynamic, greedy reference named
 * {@value Datastore#REFERENCE_NAME}, has a {@code @Modified} method so that a new target rebinds
 * instead of restarting it, and runs every write through a {@link StoreGate}. It records, for each
 * write, which kind took it and when it started and ended on one global clock.
 */
@Component(service = RecordingConsumer.class, configurationPid = BlockStore.SELECTION_PID)
public final class RecordingConsumer {

    /** One acknowledged write. */
    record Write(byte[] key, String kind, long started, long ended) {
    }

    static final AtomicInteger ACTIVATIONS = new AtomicInteger();
    private static final AtomicLong CLOCK = new AtomicLong();

    private final StoreGate<Datastore> gate = new StoreGate<>("datastore");
    private final Map<Datastore, String> kinds = new ConcurrentHashMap<>();

    @Activate
    void activate() {
        ACTIVATIONS.incrementAndGet();
    }

    @Modified
    void modified() {
        // Nothing to do: the new target is applied by SCR rebinding the reference.
    }

    @Reference(name = Datastore.REFERENCE_NAME, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(storage.kind=fs)")
    void bindDatastore(Datastore store, Map<String, Object> properties) {
        kinds.put(store, String.valueOf(properties.get(Datastore.KIND_PROPERTY)));
        gate.bind(store);
    }

    void unbindDatastore(Datastore store) {
        gate.unbind(store);
    }

    /** The kind of the store bound now. */
    String currentKind() {
        Datastore store = gate.current();
        return store == null ? null : kinds.get(store);
    }

    /**
     * Writes one entry on whichever store is bound, holding the write open for a moment so that
     * swaps meet writes in flight.
     */
    Write write(byte[] key, byte[] value) throws StorageException {
        return gate.call(store -> {
            long started = CLOCK.incrementAndGet();
            store.put(key, value);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long ended = CLOCK.incrementAndGet();
            return new Write(key, kinds.get(store), started, ended);
        }, Duration.ofSeconds(10));
    }
}
