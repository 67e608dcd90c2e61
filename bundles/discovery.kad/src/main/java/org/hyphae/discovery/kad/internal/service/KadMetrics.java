package org.hyphae.discovery.kad.internal.service;

import org.hyphae.discovery.kad.internal.KadDht;
import org.hyphae.metrics.MetricReport;
import org.hyphae.metrics.MetricSource;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The DHT's share of /metrics: routing table size and mode. */
@Component(service = MetricSource.class)
public final class KadMetrics implements MetricSource {

    @Reference
    private KadService kad;

    @Override
    public void report(MetricReport report) {
        KadDht dht;
        try {
            dht = kad.dht();
        } catch (IllegalStateException notRunning) {
            return;
        }
        report.gauge("hyphae_dht_routing_table_peers", "peers in the Kademlia routing table", dht.routingTable().size(),
                "mode", dht.settings().clientMode() ? "client" : "server");
    }
}
