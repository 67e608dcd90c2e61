package org.hyphae.ledger.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidBlockException;
import org.hyphae.ledger.InvalidTransactionException;
import org.hyphae.ledger.Transaction;

/**
 * Applies transactions to a {@link StateDelta}: chain id, signature, nonce equal to the sender's,
 * balance for amount plus fee; the fee goes to the block's proposer, so the total balance never
 * changes. Records each touched account's prior state as undo data.
 */
final class BlockExecutor {

    private final String chainId;
    private final SignatureVerifier signatures;

    BlockExecutor(String chainId, SignatureVerifier signatures) {
        this.chainId = chainId;
        this.signatures = signatures;
    }

    /** What executing a block produced. */
    record Result(List<Hash> txIds, Map<PeerId, Account> undo) {
    }

    /** Checks one transaction against a state without applying it (for the mempool). */
    void checkStatic(Transaction tx) throws InvalidTransactionException {
        if (!tx.chainId().equals(chainId)) {
            throw new InvalidTransactionException("transaction " + tx.hash().shortHex() + " is for chain \"" + tx.chainId()
                    + "\", this is \"" + chainId + "\"");
        }
        if (tx.encode().length > Transaction.MAX_ENCODED) {
            throw new InvalidTransactionException("transaction " + tx.hash().shortHex() + " exceeds " + Transaction.MAX_ENCODED + " bytes");
        }
        try {
            Math.addExact(tx.amount(), tx.fee());
        } catch (ArithmeticException e) {
            throw new InvalidTransactionException("transaction " + tx.hash().shortHex() + ": amount plus fee overflows");
        }
    }

    /** Executes a block's transactions on {@code delta}; the caller has checked the roots' inputs. */
    Result execute(Block block, StateDelta delta) throws InvalidBlockException {
        List<Transaction> txs = block.transactions();
        List<Hash> ids = new ArrayList<>(txs.size());
        Set<Hash> seen = new HashSet<>();
        for (Transaction t : txs) {
            Hash id = t.hash();
            if (!seen.add(id)) {
                throw invalid(block, "transaction " + id.shortHex() + " appears twice");
            }
            ids.add(id);
        }
        int bad = signatures.verifyAll(txs, ids);
        if (bad >= 0) {
            throw invalid(block, "transaction " + bad + " (" + ids.get(bad).shortHex() + ") has a bad signature");
        }
        Map<PeerId, Account> undo = new LinkedHashMap<>();
        PeerId proposer = block.header().proposer().orElse(null);
        for (int i = 0; i < txs.size(); i++) {
            try {
                apply(txs.get(i), ids.get(i), proposer, delta, undo);
            } catch (InvalidTransactionException e) {
                throw invalid(block, "transaction " + i + ": " + e.getMessage());
            }
        }
        return new Result(ids, undo);
    }

    void apply(Transaction tx, Hash id, PeerId proposer, StateDelta delta, Map<PeerId, Account> undo)
            throws InvalidTransactionException {
        checkStatic(tx);
        Account sender = delta.get(tx.from());
        if (tx.nonce() != sender.nonce()) {
            throw new InvalidTransactionException("transaction " + id.shortHex() + " from " + tx.from() + " has nonce "
                    + tx.nonce() + ", the account's next nonce is " + sender.nonce()
                    + (tx.nonce() < sender.nonce() ? " (replayed)" : " (gap)"));
        }
        long cost = tx.amount() + tx.fee();
        if (cost > sender.balance()) {
            throw new InvalidTransactionException("transaction " + id.shortHex() + " from " + tx.from() + " spends " + cost
                    + " but the balance is " + sender.balance());
        }
        // A credit can fail after the debit (an overflowing balance): what this transaction changed is then put back, so
        // that a refused transaction leaves the delta as it was (a proposer skips it and keeps the rest of its block).
        PeerId to = tx.payload() instanceof Transaction.Transfer t ? t.to() : null;
        Account toBefore = to == null ? null : delta.get(to);
        Account proposerBefore = proposer == null ? null : delta.get(proposer);
        touch(undo, delta, tx.from());
        delta.put(tx.from(), new Account(sender.balance() - cost, sender.nonce() + 1));
        try {
            if (to != null) {
                credit(delta, undo, to, tx.amount(), id);
            }
            if (tx.fee() > 0) {
                if (proposer == null) {
                    throw new InvalidTransactionException("transaction " + id.shortHex() + " pays a fee in a block without proposer");
                }
                credit(delta, undo, proposer, tx.fee(), id);
            }
        } catch (InvalidTransactionException e) {
            delta.put(tx.from(), sender);
            if (to != null) {
                delta.put(to, toBefore);
            }
            if (proposer != null) {
                delta.put(proposer, proposerBefore);
            }
            throw e;
        }
    }

    private static void credit(StateDelta delta, Map<PeerId, Account> undo, PeerId to, long amount, Hash id)
            throws InvalidTransactionException {
        touch(undo, delta, to);
        Account a = delta.get(to);
        try {
            delta.put(to, new Account(Math.addExact(a.balance(), amount), a.nonce()));
        } catch (ArithmeticException e) {
            throw new InvalidTransactionException("transaction " + id.shortHex() + " overflows the balance of " + to);
        }
    }

    private static void touch(Map<PeerId, Account> undo, StateDelta delta, PeerId id) {
        undo.computeIfAbsent(id, delta::get);
    }

    private static InvalidBlockException invalid(Block block, String why) {
        return new InvalidBlockException("block #" + block.height() + " " + block.hash().shortHex() + ": " + why);
    }
}
