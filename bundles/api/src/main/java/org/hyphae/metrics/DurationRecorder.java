package org.hyphae.metrics;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Records how long operations take (a DHT lookup, a block import) as a histogram on the node's
 * metrics endpoint: {@code <name>_bucket}, {@code _count}, {@code _sum} and {@code _max}. Provided
 * by the metrics bundle, one instance per using bundle: when that bundle stops, its series go.
 * For values a bundle can read at any time, register a {@link MetricSource} instead.
 */
@ProviderType
public interface DurationRecorder {

    /**
     * Records one operation's duration. Quick and thread-safe: may be called on any thread,
     * event loops included.
     *
     * @param name metric name matching {@code [a-z_][a-z0-9_]*} and ending in {@code _seconds}
     *     ({@code hyphae_dht_lookup_seconds})
     * @param help one line saying what is timed; the first one given for a name is kept
     * @param duration how long it took; negative durations are refused
     * @param labels label name, value pairs, as for {@link MetricReport#gauge}
     * @throws IllegalArgumentException on a malformed name or labels, or a negative duration
     */
    void record(String name, String help, Duration duration, String... labels);
}
