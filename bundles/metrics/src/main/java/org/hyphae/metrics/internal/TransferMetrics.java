package org.hyphae.metrics.internal;

import java.util.List;

import org.hyphae.files.FileSharing;
import org.hyphae.files.Transfer;
import org.hyphae.metrics.MetricReport;
import org.hyphae.metrics.MetricSource;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** Fetches from the swarm running now: how many, and each one's bytes fetched and total, by root CID. */
@Component(service = MetricSource.class)
public final class TransferMetrics implements MetricSource {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile FileSharing files;

    @Override
    public void report(MetricReport report) {
        FileSharing f = files;
        if (f == null) {
            return;
        }
        List<Transfer> transfers = f.transfers();
        report.gauge("hyphae_transfers_active", "fetches from the swarm running now", transfers.size());
        for (Transfer t : transfers) {
            String root = t.root().toString();
            report.gauge("hyphae_transfer_fetched_bytes", "bytes fetched (or found stored) so far by a running fetch",
                    t.bytesDone(), "root", root);
            report.gauge("hyphae_transfer_total_bytes", "size of a running fetch's file, -1 while unknown", t.bytesTotal(),
                    "root", root);
        }
    }
}
