package org.hyphae.metrics.internal;

import java.util.Map;
import java.util.TreeMap;

import org.hyphae.metrics.MetricReport;
import org.hyphae.metrics.MetricSource;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Stream;
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
 * What the API tells about the node: connections by transport and direction, open streams by
 * protocol, protocols served, and each store's entries and bytes by kind. Areas with their own
 * internals (DHT, GossipSub, host traffic) report through their own {@link MetricSource}.
 */
@Component(service = MetricSource.class)
public final class NodeMetrics implements MetricSource {

    private final BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Host host;

    @Activate
    public NodeMetrics(BundleContext context) {
        this.context = context;
    }

    @Override
    public void report(MetricReport report) {
        Host h = host;
        if (h != null) {
            Map<String, Integer> connections = new TreeMap<>();
            Map<String, Integer> streams = new TreeMap<>();
            for (Connection c : h.connections()) {
                connections.merge(c.transport() + " " + c.direction().name().toLowerCase(), 1, Integer::sum);
                for (Stream s : c.streams()) {
                    streams.merge(s.protocol(), 1, Integer::sum);
                }
            }
            for (Map.Entry<String, Integer> e : connections.entrySet()) {
                String[] key = e.getKey().split(" ");
                report.gauge("hyphae_connections", "open connections to peers", e.getValue(),
                        "transport", key[0], "direction", key[1]);
            }
            for (Map.Entry<String, Integer> e : streams.entrySet()) {
                report.gauge("hyphae_streams", "open streams", e.getValue(), "protocol", e.getKey());
            }
            report.gauge("hyphae_peers", "connected peers", h.connections().stream().map(Connection::remotePeer).distinct().count());
            report.gauge("hyphae_protocols_served", "protocols this node serves", h.protocols().size());
        }
        stores(report, BlockStore.class, "hyphae_blockstore");
        stores(report, Datastore.class, "hyphae_datastore");
    }

    /**
     * Looks stores up for each scrape and lets go at once: holding them would make the node's
     * status show every kind as in use.
     */
    private <T> void stores(MetricReport report, Class<T> type, String prefix) {
        try {
            for (ServiceReference<T> ref : context.getServiceReferences(type, "(" + BlockStore.KIND_PROPERTY + "=*)")) {
                T store = context.getService(ref);
                if (store == null) {
                    continue;
                }
                try {
                    StoreStats stats = store instanceof BlockStore b ? b.stats() : ((Datastore) store).stats();
                    String kind = String.valueOf(ref.getProperty(BlockStore.KIND_PROPERTY));
                    report.gauge(prefix + "_entries", "entries in the store", stats.count(), "kind", kind);
                    report.gauge(prefix + "_bytes", "bytes held by the store", stats.bytes(), "kind", kind);
                } catch (StorageException | RuntimeException unreadable) {
                    // a store that cannot say its size now is left out of this scrape
                } finally {
                    context.ungetService(ref);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
