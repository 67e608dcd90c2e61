package org.hyphae.exchange.bitswap.internal.service;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.hyphae.discovery.ContentRouting;
import org.hyphae.exchange.BlockExchange;
import org.hyphae.exchange.ExchangeSession;
import org.hyphae.exchange.ExchangeStats;
import org.hyphae.exchange.bitswap.internal.Bitswap;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
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
 * Bitswap as the {@link BlockExchange} service and the {@code /ipfs/bitswap/1.2.0}, {@code 1.1.0}
 * and {@code 1.0.0} {@link ProtocolHandler}. Follows the storage selection
 * ({@link BlockStore#SELECTION_PID}) through a dynamic greedy {@code blockStore} reference read once
 * per operation; content routing (the DHT) is optional and dynamic. A configuration change applies
 * to later operations without a restart.
 */
// The component also follows the storage selection PID, so BitswapConfig carries the metatype PID itself (a
// Designate allows only one PID).
@Component(service = BlockExchange.class, configurationPid = {BitswapService.PID, BlockStore.SELECTION_PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class BitswapService implements BlockExchange {

    public static final String PID = "org.hyphae.exchange.bitswap";

    @Reference(name = BlockStore.REFERENCE_NAME, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BlockStore blockStore;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ContentRouting contentRouting;

    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Bitswap bitswap;
    private final ServiceRegistration<ProtocolHandler> handler;

    @Activate
    public BitswapService(@Reference Host host, BundleContext context, BitswapConfig config) {
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(Math.max(1, config.threads()), r -> {
            Thread t = new Thread(r, "hyphae-bitswap-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyphae-bitswap-timer");
            t.setDaemon(true);
            return t;
        });
        bitswap = new Bitswap(host, () -> blockStore, () -> contentRouting, workers, timer, settings(config));
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(ProtocolHandler.PROTOCOL_PROPERTY, Bitswap.PROTOCOLS.toArray(String[]::new));
        handler = context.registerService(ProtocolHandler.class, bitswap::handle, props);
    }

    static Bitswap.Settings settings(BitswapConfig c) {
        return new Bitswap.Settings(c.maxMessageBytes(), c.maxOutMessageBytes(), c.maxWantlistEntries(),
                c.maxBytesInFlight(), c.maxBytesInFlightPerPeer(), c.maxWantsPerPeer(), c.stallMillis(),
                c.wantTimeoutMillis(), c.providerSearchMillis(), c.idleStreamMillis(), c.banThreshold(),
                TimeUnit.MINUTES.toMillis(c.banMinutes()), c.maxSendBytesPerSecond());
    }

    @Modified
    void modified(BitswapConfig config) {
        bitswap.settings(settings(config));
    }

    @Deactivate
    void deactivate() {
        handler.unregister();
        bitswap.stop();
        timer.shutdownNow();
        workers.shutdownNow();
    }

    @Override
    public ExchangeSession newSession(String name) {
        return bitswap.newSession(name);
    }

    @Override
    public void announce(Cid cid) {
        bitswap.announce(cid);
    }

    @Override
    public ExchangeStats stats() {
        return bitswap.stats();
    }
}
