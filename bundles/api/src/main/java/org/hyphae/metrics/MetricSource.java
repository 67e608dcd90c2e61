package org.hyphae.metrics;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A bundle's metrics. A whiteboard service: register one and its values appear on the node's
 * metrics endpoint at the next scrape; unregister it (or stop the bundle) and they disappear.
 *
 * <p>Names follow Prometheus conventions: lower case with underscores, prefixed by the area
 * ({@code hyphae_ledger_height}), counters ending in {@code _total}, units in the name
 * ({@code _bytes}, {@code _seconds}).
 */
@ConsumerType
@FunctionalInterface
public interface MetricSource {

    /**
     * Reports the current values. Called on each scrape, from a thread of the metrics bundle:
     * must be quick and must not block on I/O. An exception drops this source's values from that
     * scrape (and is logged) without affecting other sources.
     *
     * @param report where the values go
     */
    void report(MetricReport report);
}
