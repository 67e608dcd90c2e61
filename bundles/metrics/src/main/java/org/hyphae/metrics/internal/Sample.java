package org.hyphae.metrics.internal;

import java.util.List;
import java.util.regex.Pattern;

/** One value a {@link org.hyphae.metrics.MetricSource} reported, checked. */
record Sample(String name, String help, boolean counter, double value, List<String> labels) {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    Sample {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name \"" + name + "\" must match " + NAME.pattern());
        }
        if (counter && !name.endsWith("_total")) {
            throw new IllegalArgumentException("counter \"" + name + "\" must end in _total");
        }
        if (labels.size() % 2 != 0) {
            throw new IllegalArgumentException("metric " + name + ": labels come in name, value pairs; got " + labels.size()
                    + " strings");
        }
        for (int i = 0; i < labels.size(); i += 2) {
            if (labels.get(i) == null || !NAME.matcher(labels.get(i)).matches()) {
                throw new IllegalArgumentException("metric " + name + ": label name \"" + labels.get(i) + "\" must match "
                        + NAME.pattern());
            }
            if (labels.get(i + 1) == null) {
                throw new IllegalArgumentException("metric " + name + ": label " + labels.get(i) + " has no value");
            }
        }
        if (help == null || help.isBlank()) {
            help = name;
        }
        labels = List.copyOf(labels);
    }

    /** The name Micrometer is given: its Prometheus registry appends {@code _total} to counters itself. */
    String meterName() {
        return counter ? name.substring(0, name.length() - "_total".length()) : name;
    }

    /** Identity of the time series: name and labels. */
    String key() {
        return name + labels;
    }
}
