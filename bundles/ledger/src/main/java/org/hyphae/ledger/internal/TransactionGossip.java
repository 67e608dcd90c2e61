package org.hyphae.ledger.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.InvalidTransactionException;
import org.hyphae.ledger.Transaction;
import org.hyphae.pubsub.Message;
import org.hyphae.pubsub.PubSub;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.pubsub.ValidationResult;

/**
 * Transactions over the transaction topic in {@link TransactionBatch}es: what this node admits is
 * queued and published at most {@value #FLUSH_MS} ms later together with whatever else came in
 * meanwhile; a batch received is validated off the pubsub thread (signatures in parallel, each
 * transaction once: the verified ids are remembered, so the mempool and the block import do not
 * check them again) and spreads only if it is sound.
 */
final class TransactionGossip {

    private static final System.Logger LOG = System.getLogger(TransactionGossip.class.getName());
    /** How long an admitted transaction waits for company before its batch is published. */
    static final long FLUSH_MS = 25;

    private final String chainId;
    private final PeerId self;
    private final String topic;
    private final PubSub pubsub;
    private final Mempool mempool;
    private final java.util.function.Function<PeerId, org.hyphae.ledger.Account> accounts;
    private final SignatureVerifier signatures;
    private final ScheduledExecutorService flusher;
    private final TransactionIntake intake;
    private final List<Transaction> queue = new ArrayList<>();
    private boolean flushScheduled;

    TransactionGossip(String chainId, PeerId self, String topic, PubSub pubsub, Mempool mempool,
            java.util.function.Function<PeerId, org.hyphae.ledger.Account> accounts, SignatureVerifier signatures,
            ScheduledExecutorService flusher, TransactionIntake intake) {
        this.chainId = chainId;
        this.self = self;
        this.topic = topic;
        this.pubsub = pubsub;
        this.mempool = mempool;
        this.accounts = accounts;
        this.signatures = signatures;
        this.flusher = flusher;
        this.intake = intake;
    }

    /** Queues an admitted transaction for the next batch. */
    void publish(Transaction tx) {
        boolean full;
        boolean schedule = false;
        synchronized (this) {
            queue.add(tx);
            full = queue.size() >= TransactionBatch.MAX_TRANSACTIONS;
            if (!full && !flushScheduled) {
                flushScheduled = true;
                schedule = true;
            }
        }
        if (full) {
            flush();
        } else if (schedule) {
            try {
                flusher.schedule(this::flush, FLUSH_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // The node is closing: the transaction stays in the pool.
            }
        }
    }

    /** Publishes now, in batches, transactions that are already queued or pending here. */
    void publishNow(List<Transaction> txs) {
        for (int i = 0; i < txs.size(); i += TransactionBatch.MAX_TRANSACTIONS) {
            send(txs.subList(i, Math.min(txs.size(), i + TransactionBatch.MAX_TRANSACTIONS)));
        }
    }

    private void flush() {
        List<Transaction> batch;
        synchronized (this) {
            flushScheduled = false;
            if (queue.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(queue);
            queue.clear();
        }
        publishNow(batch);
    }

    private void send(List<Transaction> batch) {
        pubsub.publish(topic, TransactionBatch.encode(batch)).whenComplete((r, e) -> {
            if (e != null) {
                // Still in the pool: the rebroadcast of stale pending transactions, or a block, carries them.
                LOG.log(System.Logger.Level.DEBUG, () -> "ledger: broadcast of " + batch.size() + " transaction(s) failed: " + e.getMessage());
            }
        });
    }

    /** The topic's validator. */
    TopicValidator validator() {
        return new TopicValidator() {
            @Override
            public ValidationResult validate(Message message) {
                return TransactionGossip.this.validate(message);
            }

            @Override
            public CompletionStage<ValidationResult> validateAsync(Message message) {
                if (message.receivedFrom().equals(self)) {
                    return CompletableFuture.completedFuture(ValidationResult.ACCEPT);
                }
                // A full intake ignores the batch (no penalty: the peer did nothing wrong); its
                // transactions stay pending at their senders and come again or in a block.
                return intake.run(declaredCount(message.data()), () -> TransactionGossip.this.validate(message))
                        .exceptionally(e -> {
                            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                            if (cause instanceof TransactionIntake.FullException) {
                                LOG.log(System.Logger.Level.DEBUG, () -> "ledger: ignored a transaction batch from " + message.receivedFrom()
                                        + ": " + cause.getMessage());
                            } else {
                                LOG.log(System.Logger.Level.WARNING, "ledger: checking a transaction batch from " + message.receivedFrom()
                                        + " failed", cause);
                            }
                            return ValidationResult.IGNORE;
                        });
            }

            @Override
            public String toString() {
                return "ledger transaction validator";
            }
        };
    }

    /** The batch's transaction count as its header says (what it will cost to check), 1 if it has none. */
    private static int declaredCount(byte[] data) {
        if (data.length < 5) {
            return 1;
        }
        long n = ((data[1] & 0xFFL) << 24) | ((data[2] & 0xFF) << 16) | ((data[3] & 0xFF) << 8) | (data[4] & 0xFF);
        return (int) Math.max(1, Math.min(TransactionBatch.MAX_TRANSACTIONS, n));
    }

    /**
     * REJECT (the router penalizes the peer) for a malformed batch, a transaction of another chain
     * or a bad signature; IGNORE if nothing in it was new or admissible (stale nonces happen to
     * honest peers racing a block); ACCEPT if the pool took at least one.
     */
    ValidationResult validate(Message m) {
        if (m.receivedFrom().equals(self)) {
            return ValidationResult.ACCEPT;
        }
        List<Transaction> txs;
        try {
            txs = TransactionBatch.decode(m.data());
        } catch (IllegalArgumentException e) {
            return reject(m, e.getMessage());
        }
        List<Hash> ids = new ArrayList<>(txs.size());
        for (int i = 0; i < txs.size(); i++) {
            Transaction tx = txs.get(i);
            ids.add(tx.hash());
            if (!tx.chainId().equals(chainId)) {
                return reject(m, "transaction " + i + " (" + ids.get(i).shortHex() + ") is for chain \"" + tx.chainId() + "\"");
            }
        }
        int bad = signatures.verifyAll(txs, ids);
        if (bad >= 0) {
            return reject(m, "transaction " + bad + " (" + ids.get(bad).shortHex() + ") has a bad signature");
        }
        int added = 0;
        for (Transaction tx : txs) {
            if (tx.nonce() < accounts.apply(tx.from()).nonce()) {
                // Applied already (the batch crossed a block): common under load, so no refusal text or exception.
                continue;
            }
            try {
                if (mempool.add(tx)) {
                    added++;
                }
            } catch (InvalidTransactionException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "ledger: ignored a transaction from " + m.receivedFrom() + ": " + e.getMessage());
            }
        }
        return added > 0 ? ValidationResult.ACCEPT : ValidationResult.IGNORE;
    }

    private ValidationResult reject(Message m, String why) {
        LOG.log(System.Logger.Level.INFO, "ledger: rejected a transaction batch from " + m.receivedFrom() + " on " + topic + ": " + why);
        return ValidationResult.REJECT;
    }
}
