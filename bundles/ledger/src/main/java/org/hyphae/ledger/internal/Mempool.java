package org.hyphae.ledger.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidTransactionException;
import org.hyphae.ledger.Transaction;

/**
 * Transactions waiting for a block. Admission checks the chain id, size, signature, the nonce
 * against the sender's account (no replays, bounded gaps), the fee against a minimum, and that the
 * sender's balance covers every pending transaction up to this one (no double spend inside the
 * pool). A transaction with the nonce of a pending one replaces it only for a fee higher by
 * {@code replaceBumpPercent}. When full, the cheapest transaction that is last in its sender's
 * queue is evicted for a better-paying one. Blocks take, per sender in nonce order, the
 * highest-fee executable transactions first.
 */
final class Mempool {

    /** Admission limits. */
    record Limits(int maxSize, int maxPerSender, long minFee, int replaceBumpPercent) {
    }

    private record Pending(Transaction tx, Hash id, long seq) {
    }

    private final BlockExecutor checks;
    private final SignatureVerifier signatures;
    private final Function<PeerId, Account> accounts;
    private final Limits limits;
    private final Map<PeerId, TreeMap<Long, Pending>> bySender = new HashMap<>();
    private final Map<Hash, Pending> byId = new HashMap<>();
    private long seq;

    Mempool(BlockExecutor checks, SignatureVerifier signatures, Function<PeerId, Account> accounts, Limits limits) {
        this.checks = checks;
        this.signatures = signatures;
        this.accounts = accounts;
        this.limits = limits;
    }

    /**
     * Admits a transaction.
     *
     * @return true if it was added, false if it was already pending
     * @throws InvalidTransactionException if it is refused; the message says why
     */
    boolean add(Transaction tx) throws InvalidTransactionException {
        Hash id = tx.hash();
        synchronized (this) {
            if (byId.containsKey(id)) {
                return false;
            }
        }
        checks.checkStatic(tx);
        if (!signatures.verify(tx, id)) {
            throw new InvalidTransactionException("transaction " + id.shortHex() + " from " + tx.from() + ": bad signature");
        }
        Account account = accounts.apply(tx.from());
        return admit(tx, id, account);
    }

    private synchronized boolean admit(Transaction tx, Hash id, Account account) throws InvalidTransactionException {
        if (byId.containsKey(id)) {
            return false;
        }
        // Built only for a refusal: a peer id's base58 text costs more than the admission itself.
        java.util.function.Supplier<String> what = () -> "transaction " + id.shortHex() + " from " + tx.from();
        if (tx.nonce() < account.nonce()) {
            throw new InvalidTransactionException(what.get() + ": nonce " + tx.nonce() + " was used already (the account's next is "
                    + account.nonce() + ")");
        }
        if (tx.nonce() >= account.nonce() + limits.maxPerSender()) {
            throw new InvalidTransactionException(what.get() + ": nonce " + tx.nonce() + " is too far ahead of the account's "
                    + account.nonce() + " (at most " + limits.maxPerSender() + " pending per sender)");
        }
        if (tx.fee() < limits.minFee()) {
            throw new InvalidTransactionException(what.get() + ": fee " + tx.fee() + " is below the minimum " + limits.minFee());
        }
        TreeMap<Long, Pending> queue = bySender.computeIfAbsent(tx.from(), k -> new TreeMap<>());
        Pending existing = queue.get(tx.nonce());
        if (existing != null) {
            long needed = existing.tx().fee() + Math.max(1, existing.tx().fee() * limits.replaceBumpPercent() / 100);
            if (tx.fee() < needed) {
                throw new InvalidTransactionException(what.get() + ": replaces pending " + existing.id().shortHex() + " with nonce "
                        + tx.nonce() + " but its fee " + tx.fee() + " is below the " + needed + " a replacement needs");
            }
        }
        // The balance must cover every pending transaction of this sender up to and including this one.
        long cost = 0;
        for (Pending p : queue.headMap(tx.nonce(), false).values()) {
            cost = Math.addExact(cost, p.tx().amount() + p.tx().fee());
        }
        cost = Math.addExact(cost, tx.amount() + tx.fee());
        if (cost > account.balance()) {
            if (queue.isEmpty()) {
                bySender.remove(tx.from());
            }
            throw new InvalidTransactionException(what.get() + ": balance " + account.balance() + " does not cover " + cost
                    + " (this and the sender's earlier pending transactions)");
        }
        if (existing == null && byId.size() >= limits.maxSize() && !evictFor(tx)) {
            if (queue.isEmpty()) {
                bySender.remove(tx.from());
            }
            throw new InvalidTransactionException(what.get() + ": the mempool is full (" + limits.maxSize()
                    + ") and its fee " + tx.fee() + " does not beat the cheapest pending one");
        }
        if (existing != null) {
            byId.remove(existing.id());
            // Later ones may no longer be affordable with the higher fee: drop them, their senders resend.
            if (!affordable(queue, tx, account)) {
                for (Pending p : new ArrayList<>(queue.tailMap(tx.nonce(), false).values())) {
                    queue.remove(p.tx().nonce());
                    byId.remove(p.id());
                }
            }
        }
        Pending p = new Pending(tx, id, seq++);
        queue.put(tx.nonce(), p);
        byId.put(id, p);
        return true;
    }

    private static boolean affordable(TreeMap<Long, Pending> queue, Transaction replacing, Account account) {
        long cost = 0;
        for (Pending p : queue.values()) {
            Transaction t = p.tx().nonce() == replacing.nonce() ? replacing : p.tx();
            cost += t.amount() + t.fee();
        }
        return cost <= account.balance();
    }

    /** Evicts the cheapest tail-of-queue transaction if it pays less than {@code tx}. */
    private boolean evictFor(Transaction tx) {
        Pending worst = null;
        for (TreeMap<Long, Pending> q : bySender.values()) {
            if (q.isEmpty()) {
                continue;
            }
            Pending last = q.lastEntry().getValue();
            if (worst == null || last.tx().fee() < worst.tx().fee()) {
                worst = last;
            }
        }
        if (worst == null || worst.tx().fee() >= tx.fee()) {
            return false;
        }
        remove(worst);
        return true;
    }

    private void remove(Pending p) {
        byId.remove(p.id());
        TreeMap<Long, Pending> q = bySender.get(p.tx().from());
        if (q != null) {
            q.remove(p.tx().nonce());
            if (q.isEmpty()) {
                bySender.remove(p.tx().from());
            }
        }
    }

    synchronized boolean contains(Hash id) {
        return byId.containsKey(id);
    }

    synchronized int size() {
        return byId.size();
    }

    synchronized long nextNonce(PeerId sender, long accountNonce) {
        TreeMap<Long, Pending> q = bySender.get(sender);
        long n = accountNonce;
        if (q != null) {
            while (q.containsKey(n)) {
                n++;
            }
        }
        return n;
    }

    /**
     * The best executable transactions for a block: each sender's queue from its account nonce,
     * without gaps, interleaved by fee (then arrival).
     */
    synchronized List<Transaction> select(int max, Function<PeerId, Account> state) {
        record Cursor(PeerId sender, Iterator<Pending> rest, Pending next) {
        }
        PriorityQueue<Cursor> heads = new PriorityQueue<>(Comparator.<Cursor>comparingLong(c -> -c.next().tx().fee())
                .thenComparingLong(c -> c.next().seq()));
        for (Map.Entry<PeerId, TreeMap<Long, Pending>> e : bySender.entrySet()) {
            long nonce = state.apply(e.getKey()).nonce();
            Iterator<Pending> it = e.getValue().tailMap(nonce, true).values().iterator();
            if (it.hasNext()) {
                Pending first = it.next();
                if (first.tx().nonce() == nonce) {
                    heads.add(new Cursor(e.getKey(), it, first));
                }
            }
        }
        List<Transaction> out = new ArrayList<>(Math.min(max, byId.size()));
        while (out.size() < max && !heads.isEmpty()) {
            Cursor c = heads.poll();
            out.add(c.next().tx());
            if (c.rest().hasNext()) {
                Pending n = c.rest().next();
                if (n.tx().nonce() == c.next().tx().nonce() + 1) {
                    heads.add(new Cursor(c.sender(), c.rest(), n));
                }
            }
        }
        return out;
    }

    /** After a head change: drops what was applied or is stale, and takes back what a reorg removed. */
    void onHead(List<Block> removed, List<Block> added) {
        Set<Hash> applied = new HashSet<>();
        Set<PeerId> senders = new HashSet<>();
        for (Block b : added) {
            for (Transaction t : b.transactions()) {
                applied.add(t.hash());
                senders.add(t.from());
            }
        }
        synchronized (this) {
            for (Hash h : applied) {
                Pending p = byId.get(h);
                if (p != null) {
                    remove(p);
                }
            }
            for (PeerId s : senders) {
                TreeMap<Long, Pending> q = bySender.get(s);
                if (q == null) {
                    continue;
                }
                long nonce = accounts.apply(s).nonce();
                for (Pending p : new ArrayList<>(q.headMap(nonce, false).values())) {
                    remove(p);
                }
            }
        }
        for (Block b : removed) {
            for (Transaction t : b.transactions()) {
                if (!applied.contains(t.hash())) {
                    try {
                        add(t);
                    } catch (InvalidTransactionException e) {
                        // No longer valid on the new branch (its nonce was used there): gone.
                    }
                }
            }
        }
    }

    synchronized List<Transaction> pending(int max) {
        List<Transaction> out = new ArrayList<>();
        for (TreeMap<Long, Pending> q : bySender.values()) {
            for (Pending p : q.values()) {
                if (out.size() >= max) {
                    return out;
                }
                out.add(p.tx());
            }
        }
        return out;
    }
}
