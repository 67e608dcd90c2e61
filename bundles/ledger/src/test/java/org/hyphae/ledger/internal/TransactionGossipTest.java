package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.hyphae.ledger.Transaction;
import org.hyphae.pubsub.Message;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.pubsub.ValidationResult;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

/** Transaction batches on the wire and the validator that admits or rejects them. */
class TransactionGossipTest {

    private final Fixture f = new Fixture(1, 3);
    private final TestIdentity alice = f.users.get(0);
    private final TestIdentity bob = f.users.get(1);
    private final TestIdentity peer = TestIdentity.fromSeedByte(77);

    private Message from(TestIdentity sender, byte[] data, String topic) {
        return new Message(new byte[] {1}, Optional.of(sender.peerId()), data, new byte[8], topic, true, sender.peerId());
    }

    @Test
    void batchesRoundTripAndMalformedOnesAreRefusedWithWhere() {
        List<Transaction> txs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            txs.add(f.transfer(alice, i, 1, bob.peerId(), 10 + i));
        }
        byte[] e = TransactionBatch.encode(txs);
        assertEquals(txs, TransactionBatch.decode(e));

        assertTrue(assertThrows(IllegalArgumentException.class, () -> TransactionBatch.decode(new byte[3])).getMessage()
                .contains("shorter than its header"));
        byte[] truncated = java.util.Arrays.copyOf(e, e.length - 7);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TransactionBatch.decode(truncated)).getMessage()
                .contains("entry 4"));
        byte[] trailing = java.util.Arrays.copyOf(e, e.length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TransactionBatch.decode(trailing)).getMessage()
                .contains("trailing"));
        byte[] huge = ByteBuffer.allocate(5).put((byte) 1).putInt(1_000_000).array();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TransactionBatch.decode(huge)).getMessage()
                .contains("count 1000000"));
        byte[] version = e.clone();
        version[0] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TransactionBatch.decode(version)).getMessage()
                .contains("unknown version 9"));
        byte[] corrupt = e.clone();
        corrupt[9] = 7; // entry 0's own version byte
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TransactionBatch.decode(corrupt)).getMessage()
                .contains("entry 0: transaction"));
        List<Transaction> tooMany = new ArrayList<>();
        for (int i = 0; i <= TransactionBatch.MAX_TRANSACTIONS; i++) {
            tooMany.add(txs.get(0));
        }
        assertThrows(IllegalArgumentException.class, () -> TransactionBatch.encode(tooMany));
    }

    @Test
    void aBatchWithOneBadTransactionIsRejectedWholeAndAGoodOneAdmittedOnce() throws Exception {
        try (TestNet net = new TestNet()) {
            TestNet.Peer node = net.add(f.signers.get(0), f.spec, f::engine);
            TopicValidator v = node.ledger.transactionValidator();
            String topic = node.ledger.transactionTopic();
            Transaction good = f.transfer(alice, 0, 1, bob.peerId(), 10);
            Transaction unsigned = Transaction.transfer(f.spec.chainId(), alice.peerId(), 1, 1, bob.peerId(), 10);
            Transaction forged = unsigned.withSignature(bob.sign(unsigned.signingBytes()));
            Transaction other = Transaction.transfer("another-chain", alice.peerId(), 1, 1, bob.peerId(), 10);
            other = other.withSignature(alice.sign(other.signingBytes()));

            assertEquals(ValidationResult.REJECT, v.validate(from(peer, TransactionBatch.encode(List.of(good, forged)), topic)));
            assertEquals(0, node.ledger.pending(10).size(), "nothing of a rejected batch is admitted");
            assertEquals(ValidationResult.REJECT, v.validate(from(peer, TransactionBatch.encode(List.of(good, other)), topic)));
            assertEquals(ValidationResult.REJECT, v.validate(from(peer, new byte[] {1, 0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3}, topic)));
            assertEquals(0, node.ledger.pending(10).size());

            assertEquals(ValidationResult.ACCEPT, v.validateAsync(from(peer, TransactionBatch.encode(List.of(good)), topic))
                    .toCompletableFuture().get());
            assertEquals(List.of(good), node.ledger.pending(10));
            assertEquals(ValidationResult.IGNORE, v.validate(from(peer, TransactionBatch.encode(List.of(good)), topic)),
                    "a batch with nothing new does not spread again");
            Transaction replay = f.transfer(alice, 0, 1, bob.peerId(), 11);
            assertEquals(ValidationResult.IGNORE, v.validate(from(peer, TransactionBatch.encode(List.of(replay)), topic)),
                    "a same-nonce transaction without a fee bump is ignored, not rejected (honest races)");
        }
    }
}
