/**
 * Metrics: any bundle adds its own (chain height, transfers, ...) by registering a
 * {@link org.hyphae.metrics.MetricSource}, and times its operations through the
 * {@link org.hyphae.metrics.DurationRecorder} service; the node's metrics bundle reports them with
 * its own in the Prometheus text format.
 */
@Export
@Version("0.2.0")
package org.hyphae.metrics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
