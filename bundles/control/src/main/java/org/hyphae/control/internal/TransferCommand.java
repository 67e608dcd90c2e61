package org.hyphae.control.internal;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Ledger;
import org.hyphae.ledger.Transaction;
import org.hyphae.ledger.TransactionReceipt;

import com.google.gson.JsonObject;

/**
 * {@code tx-send}: a transfer signed with this node's key, submitted to the ledger; then events
 * while it waits to be included in a block (the chain height each tick), and the block it landed in.
 */
final class TransferCommand {

    static final long TICK_MS = 250;
    static final long SUBMIT_TIMEOUT_S = 30;

    private TransferCommand() {}

    static PeerId recipient(String text) throws RequestRefused {
        try {
            return PeerId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RequestRefused(400, e.getMessage());
        }
    }

    /**
     * Signs and submits; a refusal by the mempool (balance, fee, nonce) is a 400 before any event.
     *
     * @return the submitted transaction
     */
    static Transaction submit(Ledger ledger, Identity identity, PeerId to, long amount, long fee)
            throws RequestRefused, InterruptedException {
        PeerId self = identity.peerId();
        Transaction t = Transaction.transfer(ledger.chainSpec().chainId(), self, ledger.nextNonce(self), fee, to, amount);
        t = t.withSignature(identity.sign(t.signingBytes()));
        try {
            ledger.submit(t).toCompletableFuture().get(SUBMIT_TIMEOUT_S, TimeUnit.SECONDS);
            return t;
        } catch (ExecutionException e) {
            throw new RequestRefused(400, "the ledger refused the transaction: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new RequestRefused(503, "the ledger did not take the transaction within " + SUBMIT_TIMEOUT_S + " s");
        }
    }

    static void await(Ledger ledger, Transaction t, long waitSeconds, EventStream events) throws IOException {
        Hash id = t.hash();
        long start = System.nanoTime();
        JsonObject submitted = EventStream.event("submitted");
        submitted.addProperty("tx", id.toString());
        submitted.addProperty("nonce", t.nonce());
        submitted.addProperty("height", ledger.height());
        events.send(submitted);
        long deadline = start + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (true) {
            Optional<TransactionReceipt> receipt = ledger.transaction(id);
            if (receipt.isPresent()) {
                JsonObject done = EventStream.event("done");
                done.addProperty("tx", id.toString());
                done.addProperty("height", receipt.get().blockHeight());
                done.addProperty("block", receipt.get().blockHash().toString());
                done.addProperty("index", receipt.get().index());
                done.addProperty("seconds", (System.nanoTime() - start) / 1e9);
                events.send(done);
                return;
            }
            if (System.nanoTime() > deadline) {
                events.error("transaction " + id + " is not in a block after " + waitSeconds + " s; it may still be "
                        + "included (hyphae:tx " + id + " tells)");
                return;
            }
            JsonObject waiting = EventStream.event("waiting");
            waiting.addProperty("height", ledger.height());
            waiting.addProperty("seconds", (System.nanoTime() - start) / 1e9);
            events.send(waiting);
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                events.error("interrupted");
                return;
            }
        }
    }
}
