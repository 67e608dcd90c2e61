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
}
