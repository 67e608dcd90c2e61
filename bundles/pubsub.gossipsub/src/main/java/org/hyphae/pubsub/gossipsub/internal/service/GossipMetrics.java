package org.hyphae.pubsub.gossipsub.internal.service;

import org.hyphae.metrics.MetricReport;
import org.hyphae.metrics.MetricSource;
import org.hyphae.pubsub.PubSub;
import org.hyphae.pubsub.gossipsub.internal.GossipRouter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * GossipSub's share of /metrics: the router's counters. Holds this bundle's own PubSub, so the
 * node's status does not count it as a user.
 */
@Component(service = MetricSource.class)
public final class GossipMetrics implements MetricSource {

    @Reference(target = "(component.name=org.hyphae.pubsub.gossipsub.internal.service.GossipSubService)")
    private PubSub pubsub;

    @Override
    public void report(MetricReport report) {
        if (!(pubsub instanceof GossipSubService service)) {
            return;
        }
        GossipRouter.Stats s = service.routerStats();
        report.counter("hyphae_gossip_delivered_total", "messages delivered to local subscribers", s.delivered());
        report.counter("hyphae_gossip_published_total", "messages this node published", s.published());
        report.counter("hyphae_gossip_forwarded_total", "messages forwarded to peers", s.forwarded());
        report.counter("hyphae_gossip_duplicates_total", "duplicate messages dropped", s.duplicates());
        report.counter("hyphae_gossip_invalid_total", "messages rejected by validation", s.invalid());
        report.gauge("hyphae_gossip_topics", "topics subscribed", pubsub.topics().size());
    }
}
