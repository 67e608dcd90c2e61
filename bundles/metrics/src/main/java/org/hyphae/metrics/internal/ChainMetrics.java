package org.hyphae.metrics.internal;

import java.util.Optional;

import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Ledger;
import org.hyphae.ledger.LedgerStatus;
import org.hyphae.metrics.MetricReport;
import org.hyphae.metrics.MetricSource;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The ledger as the API shows it: chain height, transactions per second over the last
 * {@value #RATE_BLOCKS} blocks (by their timestamps), pending transactions, peers in sync.
 */
@Component(service = MetricSource.class)
public final class ChainMetrics implements MetricSource {

    static final int RATE_BLOCKS = 20;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Ledger ledger;

    @Override
    public void report(MetricReport report) {
        Ledger l = ledger;
        if (l == null) {
            return;
        }
        LedgerStatus s = l.status();
        BlockHeader head = s.head();
        report.gauge("hyphae_ledger_height", "height of the chain head", head.height(), "engine", s.engine());
        report.gauge("hyphae_ledger_transactions_per_second", "transactions per second in the last " + RATE_BLOCKS
                + " blocks (block timestamps)", rate(l, head));
        report.gauge("hyphae_ledger_pending_transactions", "transactions in the mempool", s.pendingTransactions());
        report.gauge("hyphae_ledger_peers", "ledger peers, and those at this node's head", s.peers(), "state", "all");
        report.gauge("hyphae_ledger_peers", "ledger peers, and those at this node's head", s.peersInSync(), "state", "in_sync");
    }

    /** Transactions in blocks (from - 1, head] over the time between block {@code from - 1} and the head. */
    static double rate(Ledger ledger, BlockHeader head) {
        long from = Math.max(1, head.height() - RATE_BLOCKS + 1);
        Optional<Block> before = ledger.block(from - 1);
        if (before.isEmpty() || head.height() < from) {
            return 0;
        }
        long txs = 0;
        for (long h = from; h <= head.height(); h++) {
            txs += ledger.block(h).map(b -> b.transactions().size()).orElse(0);
        }
        long millis = head.time() - before.get().header().time();
        return millis <= 0 ? 0 : txs * 1000.0 / millis;
    }
}
