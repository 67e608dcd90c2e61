package org.hyphae.metrics;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where a {@link MetricSource} puts its values during one scrape. Labels are given as name,
 * value pairs: {@code gauge("hyphae_streams", "open streams", 3, "protocol", "/ipfs/ping/1.0.0")}.
 */
@ProviderType
public interface MetricReport {

    /**
     * A value that goes up and down (open connections, table size).
     *
     * @param name metric name, matching {@code [a-z_][a-z0-9_]*}
     * @param help one line saying what it measures
     * @param value the current value
     * @param labels label name, value pairs; label names match {@code [a-z_][a-z0-9_]*}
     * @throws IllegalArgumentException on a malformed name, an odd number of label strings, or a
     *     name already reported as another type
     */
    void gauge(String name, String help, double value, String... labels);

    /**
     * A total that only grows while the source lives (bytes sent, messages delivered).
     *
     * @param name metric name, ending in {@code _total}
     * @param help one line saying what it counts
     * @param total the total so far
     * @param labels label name, value pairs
     * @throws IllegalArgumentException as for {@link #gauge}
     */
    void counter(String name, String help, double total, String... labels);
}
