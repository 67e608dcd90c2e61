package org.hyphae.metrics.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.hyphae.metrics.MetricReport;
import org.hyphae.metrics.MetricSource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * The node's metrics: a Micrometer registry with the JVM's meters, fed at each scrape by every
 * {@link MetricSource} service (the whiteboard), and rendered in the Prometheus text format.
 * A source's values become Micrometer gauges and function counters; series a source stops
 * reporting (or whose source went away) are removed, so nothing stale is served.
 */
@Component(service = MetricsCollector.class)
public final class MetricsCollector {

    private static final Logger LOG = System.getLogger(MetricsCollector.class.getName());

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<MetricSource> sources = new CopyOnWriteArrayList<>();
    /** Series by key, with the holder its meter reads; touched only under {@code this}. */
    private final Map<String, Series> series = new HashMap<>();
    private final JvmThreadMetrics threads = new JvmThreadMetrics();

    private static final class Series {
        final Meter meter;
        volatile double value;

        Series(Sample sample, PrometheusMeterRegistry registry) {
            value = sample.value();
            Tags tags = Tags.of(sample.labels().toArray(new String[0]));
            meter = sample.counter()
                    ? FunctionCounter.builder(sample.meterName(), this, s -> s.value).description(sample.help()).tags(tags)
                            .register(registry)
                    : Gauge.builder(sample.meterName(), this, s -> s.value).description(sample.help()).tags(tags)
                            .register(registry);
        }
    }

    @Activate
    void activate() {
        new JvmMemoryMetrics().bindTo(registry);
        threads.bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    @Deactivate
    void deactivate() {
        registry.close();
    }

    /** The registry, for meters recorded as events rather than read at scrape time ({@link BundleTimers}). */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addSource(MetricSource source) {
        sources.add(source);
    }

    void removeSource(MetricSource source) {
        sources.remove(source);
    }

    /** Asks every source for its values, updates the meters, and renders everything. */
    public synchronized String scrape() {
        Set<String> reported = new HashSet<>();
        for (MetricSource source : sources) {
            List<Sample> samples = new ArrayList<>();
            try {
                source.report(new Collecting(samples));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "metric source " + source.getClass().getName() + " failed; its values are left out: "
                        + e, e);
                continue;
            }
            for (Sample sample : samples) {
                if (!reported.add(sample.key())) {
                    continue; // the first source to report a series wins this scrape
                }
                Series existing = series.get(sample.key());
                if (existing == null) {
                    try {
                        series.put(sample.key(), new Series(sample, registry));
                    } catch (RuntimeException clash) {
                        LOG.log(Level.WARNING, "metric " + sample.name() + " from " + source.getClass().getName()
                                + " left out: " + clash.getMessage());
                        reported.remove(sample.key());
                    }
                } else {
                    existing.value = sample.value();
                }
            }
        }
        series.entrySet().removeIf(e -> {
            if (reported.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().meter);
            return true;
        });
        return registry.scrape();
    }

    /** Collects one source's values, checking each as it comes. */
    private static final class Collecting implements MetricReport {
        private final List<Sample> samples;

        Collecting(List<Sample> samples) {
            this.samples = samples;
        }

        @Override
        public void gauge(String name, String help, double value, String... labels) {
            samples.add(new Sample(name, help, false, value, Arrays.asList(labels)));
        }

        @Override
        public void counter(String name, String help, double total, String... labels) {
            samples.add(new Sample(name, help, true, total, Arrays.asList(labels)));
        }
    }
}
