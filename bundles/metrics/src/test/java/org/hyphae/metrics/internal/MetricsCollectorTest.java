package org.hyphae.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.metrics.MetricSource;
import org.junit.jupiter.api.Test;

/** Whiteboard sources through Micrometer's Prometheus registry, as /metrics serves them. */
class MetricsCollectorTest {

    @Test
    void sourcesAppearUpdateAndGoAwayAndAFailingOneIsIsolated() {
        MetricsCollector collector = new MetricsCollector();
        collector.activate();
        AtomicLong height = new AtomicLong(7);
        MetricSource ledger = report -> {
            report.gauge("hyphae_ledger_height", "chain height", height.get());
            report.counter("hyphae_ledger_transactions_total", "transactions applied", 42, "engine", "poa");
        };
        MetricSource broken = report -> {
            throw new IllegalStateException("boom");
        };
        MetricSource malformed = report -> report.gauge("Not-A-Name", "x", 1);
        collector.addSource(broken);
        collector.addSource(ledger);
        collector.addSource(malformed);

        String text = collector.scrape();
        assertTrue(text.contains("# HELP hyphae_ledger_height chain height"), text);
        assertTrue(text.contains("hyphae_ledger_height 7.0"), text);
        assertTrue(text.contains("# TYPE hyphae_ledger_transactions_total counter"), text);
        assertTrue(text.contains("hyphae_ledger_transactions_total{engine=\"poa\",} 42.0"), text);
        assertTrue(text.contains("jvm_threads_live_threads"), "the JVM's own meters: " + text);

        height.set(8);
        assertTrue(collector.scrape().contains("hyphae_ledger_height 8.0"));

        collector.removeSource(ledger);
        String after = collector.scrape();
        assertFalse(after.contains("hyphae_ledger"), "a source's series leave with it: " + after);
        collector.deactivate();
    }

    @Test
    void durationsBecomeAPrometheusHistogramThatLeavesWithItsBundle() {
        MetricsCollector collector = new MetricsCollector();
        collector.activate();
        BundleTimers timers = new BundleTimers(collector);
        timers.record("hyphae_dht_lookup_seconds", "lookup time", java.time.Duration.ofMillis(40));
        timers.record("hyphae_dht_lookup_seconds", "lookup time", java.time.Duration.ofMillis(200));
        String text = collector.scrape();
        assertTrue(text.contains("# TYPE hyphae_dht_lookup_seconds histogram"), text);
        assertTrue(text.contains("hyphae_dht_lookup_seconds_count 2.0"), text);
        assertTrue(text.contains("hyphae_dht_lookup_seconds_sum 0.24"), text);
        assertTrue(text.contains("hyphae_dht_lookup_seconds_bucket{le=\"+Inf\",} 2.0"), text);
        assertTrue(text.matches("(?s).*hyphae_dht_lookup_seconds_bucket\\{le=\"0\\.0[0-9]+\",} 0\\.0.*"), text);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> timers.record("hyphae_dht_lookup", "no unit", java.time.Duration.ZERO));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> timers.record("hyphae_x_seconds", "odd labels", java.time.Duration.ZERO, "a"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> timers.record("hyphae_x_seconds", "negative", java.time.Duration.ofMillis(-1)));
        timers.deactivate();
        assertFalse(collector.scrape().contains("hyphae_dht_lookup"), "the bundle's timers leave with it");
        collector.deactivate();
    }
}
