package org.hyphae.ledger.internal.service;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Ledger;
import org.hyphae.ledger.LedgerStatus;
import org.hyphae.ledger.Transaction;
import org.hyphae.ledger.TransactionReceipt;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code hyphae:chain}, {@code hyphae:block}, {@code hyphae:balance}, {@code hyphae:tx}. */
@Component(service = LedgerCommands.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=chain",
        "osgi.command.function=block", "osgi.command.function=balance", "osgi.command.function=tx"})
public final class LedgerCommands {

    private final Ledger ledger;
    private final Identity identity;

    @Activate
    public LedgerCommands(@Reference Ledger ledger, @Reference Identity identity) {
        this.ledger = ledger;
        this.identity = identity;
    }

    @Descriptor("the chain: id, genesis, head, height, engine, mempool, peers in sync")
    public String chain() {
        LedgerStatus s = ledger.status();
        BlockHeader h = s.head();
        return "chain      " + s.chainId() + "\n"
                + "genesis    " + s.genesis() + "\n"
                + "head       #" + h.height() + " " + h.hash() + "\n"
                + "time       " + java.time.Instant.ofEpochMilli(h.time()) + "\n"
                + "proposer   " + h.proposer().map(PeerId::toString).orElse("-") + "\n"
                + "engine     " + s.engine() + " (from #" + ledger.chainSpec().engineAt(h.height() + 1).fromHeight() + ")"
                + s.missingBundle().map(b -> "  NOT INSTALLED: the node stops at #" + h.height() + " until the bundle " + b
                        + " is dropped into deploy/").orElse("") + "\n"
                + "mempool    " + s.pendingTransactions() + " pending\n"
                + "peers      " + s.peersInSync() + " of " + s.peers() + " in sync"
                + s.bestPeerHeight().map(b -> ", best peer height " + b).orElse("") + "\n"
                + peerLines(h.height());
    }

    private String peerLines(long height) {
        StringBuilder out = new StringBuilder();
        for (org.hyphae.ledger.PeerHead p : ledger.peerHeads()) {
            out.append("  ").append(p.peer()).append("  #").append(p.height()).append(' ').append(p.head().shortHex())
                    .append(p.inSync() ? "  in sync" : p.height() > height ? "  ahead by " + (p.height() - height) : "  on another branch")
                    .append('\n');
        }
        return out.toString();
    }

    @Descriptor("a block by height or hash")
    public String block(@Descriptor("height or 64 hex digits") String which) {
        Optional<Block> b = which.length() == 64 || which.startsWith("0x") ? ledger.block(Hash.parse(which))
                : ledger.block(Long.parseLong(which));
        if (b.isEmpty()) {
            return "no block " + which;
        }
        BlockHeader h = b.get().header();
        StringBuilder out = new StringBuilder();
        out.append("block      #").append(h.height()).append(' ').append(h.hash()).append('\n')
                .append("parent     ").append(h.parent()).append('\n')
                .append("time       ").append(java.time.Instant.ofEpochMilli(h.time())).append('\n')
                .append("proposer   ").append(h.proposer().map(PeerId::toString).orElse("-")).append('\n')
                .append("tx root    ").append(h.txRoot()).append('\n')
                .append("state root ").append(h.stateRoot()).append('\n')
                .append("seal       ").append(h.seal().length).append(" bytes\n")
                .append("txs        ").append(b.get().transactions().size()).append('\n');
        int shown = 0;
        for (Transaction t : b.get().transactions()) {
            if (shown++ == 20) {
                out.append("  ...\n");
                break;
            }
            out.append("  ").append(t.hash()).append(' ').append(describe(t)).append('\n');
        }
        return out.toString();
    }

    @Descriptor("an account's balance and nonce (default: this node's)")
    public String balance(@Descriptor("peer id") String account) {
        PeerId p = PeerId.parse(account);
        Account a = ledger.account(p);
        return p + ": balance " + a.balance() + ", nonce " + a.nonce() + " (next " + ledger.nextNonce(p) + ")";
    }

    @Descriptor("this node's balance and nonce")
    public String balance() {
        return balance(identity.peerId().toString());
    }

    @Descriptor("a transaction by id: where it was applied, or that it is pending")
    public String tx(@Descriptor("transaction id, 64 hex digits") String id) {
        Hash h = Hash.parse(id);
        Optional<TransactionReceipt> r = ledger.transaction(h);
        if (r.isPresent()) {
            return h + ": in block #" + r.get().blockHeight() + " " + r.get().blockHash() + " at index " + r.get().index()
                    + "\n  " + describe(r.get().transaction());
        }
        for (Transaction t : ledger.pending(100_000)) {
            if (t.hash().equals(h)) {
                return h + ": pending\n  " + describe(t);
            }
        }
        return h + ": unknown";
    }

    static String describe(Transaction t) {
        String what = t.payload() instanceof Transaction.Transfer tr ? "transfer " + tr.amount() + " to " + tr.to()
                : "anchor " + HexFormat.of().formatHex(((Transaction.Anchor) t.payload()).data());
        return "from " + t.from() + " nonce " + t.nonce() + " fee " + t.fee() + ": " + what;
    }

    /** {@code hyphae:tx-send <to> <amount> [fee]}: a Function, since a method name cannot hold a hyphen. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=tx-send"})
    public static final class TxSend implements Function {
        private final Ledger ledger;
        private final Identity identity;

        @Activate
        public TxSend(@Reference Ledger ledger, @Reference Identity identity) {
            this.ledger = ledger;
            this.identity = identity;
        }

        @Override
        public Object execute(CommandSession session, List<Object> args) throws Exception {
            if (args.size() < 2 || args.size() > 3) {
                return "usage: hyphae:tx-send <to peer id> <amount> [fee]   (signed by this node's key)";
            }
            PeerId to = PeerId.parse(String.valueOf(args.get(0)));
            long amount = Long.parseLong(String.valueOf(args.get(1)));
            long fee = args.size() == 3 ? Long.parseLong(String.valueOf(args.get(2))) : 1;
            PeerId self = identity.peerId();
            Transaction t = Transaction.transfer(ledger.chainSpec().chainId(), self, ledger.nextNonce(self), fee, to, amount);
            t = t.withSignature(identity.sign(t.signingBytes()));
            try {
                Hash id = ledger.submit(t).toCompletableFuture().get(30, TimeUnit.SECONDS);
                return "submitted " + id + " (nonce " + t.nonce() + ")";
            } catch (java.util.concurrent.ExecutionException e) {
                return "refused: " + e.getCause().getMessage();
            }
        }
    }
}
