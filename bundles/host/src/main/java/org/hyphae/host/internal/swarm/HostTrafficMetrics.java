package org.hyphae.host.internal.swarm;

import java.util.Map;

import org.hyphae.host.internal.yamux.ProtocolTraffic;
import org.hyphae.metrics.MetricReport;
import org.hyphae.metrics.MetricSource;
import org.osgi.service.component.annotations.Component;

/** The host's share of /metrics: stream bytes received and sent per protocol. */
@Component(service = MetricSource.class)
public final class HostTrafficMetrics implements MetricSource {

    @Override
    public void report(MetricReport report) {
        for (Map.Entry<String, ProtocolTraffic.Totals> e : ProtocolTraffic.snapshot().entrySet()) {
            report.counter("hyphae_stream_received_bytes_total", "stream payload bytes received", e.getValue().received(),
                    "protocol", e.getKey());
            report.counter("hyphae_stream_sent_bytes_total", "stream payload bytes sent", e.getValue().sent(),
                    "protocol", e.getKey());
        }
    }
}
