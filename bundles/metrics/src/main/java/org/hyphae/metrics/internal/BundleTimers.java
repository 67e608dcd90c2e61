package org.hyphae.metrics.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.hyphae.metrics.DurationRecorder;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The {@link DurationRecorder} of one using bundle (bundle scope: each gets its own instance):
 * Micrometer timers with a percentile histogram from 1 ms to 60 s, removed from the registry when
 * that bundle lets go of the service, so a stopped bundle leaves no series behind.
 */
@Component(service = DurationRecorder.class, scope = ServiceScope.BUNDLE)
public final class BundleTimers implements DurationRecorder {

    static final Duration SMALLEST = Duration.ofMillis(1);
    static final Duration LARGEST = Duration.ofSeconds(60);

    private final MetricsCollector collector;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    @Activate
    public BundleTimers(@Reference MetricsCollector collector) {
        this.collector = collector;
    }

    @Override
    public void record(String name, String help, Duration duration, String... labels) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("metric " + name + ": negative duration " + duration);
        }
        String key = name + Arrays.asList(labels);
        Timer timer = timers.get(key);
        if (timer == null) {
            if (!name.endsWith("_seconds")) {
                throw new IllegalArgumentException("timer \"" + name + "\" must end in _seconds");
            }
            Sample checked = new Sample(name, help, false, 0, Arrays.asList(labels)); // the same name and label rules as sources
            timer = timers.computeIfAbsent(key, k -> Timer.builder(name).description(checked.help())
                    .tags(Tags.of(labels)).publishPercentileHistogram().minimumExpectedValue(SMALLEST)
                    .maximumExpectedValue(LARGEST).register(collector.registry()));
        }
        timer.record(duration);
    }

    @Deactivate
    void deactivate() {
        timers.values().forEach(collector.registry()::remove);
        timers.clear();
    }
}
