package org.hyphae.ledger.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;
import org.hyphae.transport.testkit.TestIdentity;
import org.junit.jupiter.api.Test;

class EncodingTest {

    private final TestIdentity alice = TestIdentity.fromSeedByte(1);
    private final TestIdentity bob = TestIdentity.fromSeedByte(2);

    private Transaction signed() {
        Transaction t = Transaction.transfer("c", alice.peerId(), 7, 3, bob.peerId(), 100);
        return t.withSignature(alice.sign(t.signingBytes()));
    }

    @Test
    void transactionRoundTripsAndEncodesDeterministically() {
        Transaction t = signed();
        byte[] e = t.encode();
        assertEquals(t, Transaction.decode(e));
        assertArrayEquals(e, Transaction.decode(e).encode());
        assertEquals(t.hash(), Transaction.decode(e).hash());
        Transaction anchor = Transaction.anchor("c", alice.peerId(), 8, 1, new byte[] {1, 2, 3});
        assertEquals(anchor, Transaction.decode(anchor.encode()));
        // The signature is not part of what is signed, but is part of the id.
        assertArrayEquals(t.signingBytes(), t.withSignature(new byte[0]).signingBytes());
        assertNotEquals(t.hash(), t.withSignature(new byte[0]).hash());
        assertTrue(alice.verify(alice.publicKeyProtobuf(), t.signingBytes(), t.signature()));
    }

    @Test
    void aTransactionKeepsItsEncodingAndItsSignedBytesApartFromTheCallersArrays() {
        Transaction t = signed();
        byte[] e = t.encode();
        // What is signed: the domain tag, then the encoding without the signature field (u32 length, 64 bytes).
        byte[] domain = "hyphae/tx/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] unsigned = Transaction.transfer("c", alice.peerId(), 7, 3, bob.peerId(), 100).encode();
        byte[] expected = new byte[domain.length + unsigned.length - 4];
        System.arraycopy(domain, 0, expected, 0, domain.length);
        System.arraycopy(unsigned, 0, expected, domain.length, unsigned.length - 4);
        assertArrayEquals(expected, t.signingBytes());
        assertTrue(alice.verify(alice.publicKeyProtobuf(), t.signingBytes(), t.signature()));
        assertEquals(Hash.sha256(e), t.hash());

        // The kept encoding is not the caller's array: changing that array or a returned copy changes nothing.
        Transaction d = Transaction.decode(e);
        Hash id = d.hash();
        e[e.length - 1] ^= 1;
        d.encode()[0] ^= 1;
        assertArrayEquals(t.encode(), d.encode());
        assertEquals(id, d.hash());
        assertEquals(id, Hash.sha256(d.encode()));
        assertTrue(alice.verify(alice.publicKeyProtobuf(), d.signingBytes(), d.signature()));
        // A changed signature changes the encoding and the id.
        byte[] sig = t.signature();
        sig[0] ^= 1;
        Transaction other = t.withSignature(sig);
        assertNotEquals(t.hash(), other.hash());
        assertArrayEquals(t.signingBytes(), other.signingBytes());
    }

    @Test
    void malformedTransactionsAreRefusedWithTheFieldAndOffset() {
        byte[] e = signed().encode();
        IllegalArgumentException trailing = assertThrows(IllegalArgumentException.class,
                () -> Transaction.decode(Arrays.copyOf(e, e.length + 1)));
        assertTrue(trailing.getMessage().contains("trailing"), trailing.getMessage());
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> Transaction.decode(Arrays.copyOf(e, e.length - 5)));
        assertTrue(truncated.getMessage().contains("signature"), truncated.getMessage());
        byte[] v2 = e.clone();
        v2[0] = 2;
        IllegalArgumentException version = assertThrows(IllegalArgumentException.class, () -> Transaction.decode(v2));
        assertTrue(version.getMessage().contains("unknown version 2"), version.getMessage());
        byte[] kind = e.clone();
        // version(1) + chainId(4+1) + from(4+38) + nonce(8) + fee(8) = offset of the kind byte
        kind[1 + 5 + 42 + 16] = 9;
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> Transaction.decode(kind));
        assertTrue(k.getMessage().contains("unknown payload kind 9"), k.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Transaction.decode(new byte[2000]));
    }

    @Test
    void headersAndBlocksRoundTrip() {
        BlockHeader h = new BlockHeader(Hash.sha256(new byte[] {1}), 5, 1234, MerkleTree.EMPTY, Hash.sha256(new byte[] {2}),
                Optional.of(alice.peerId()), new byte[] {9, 9});
        assertEquals(h, BlockHeader.decode(h.encode()));
        assertEquals(h.hash(), BlockHeader.decode(h.encode()).hash());
        assertNotEquals(h.hash(), h.withSeal(new byte[] {9}).hash());
        assertArrayEquals(h.unsealedBytes(), h.withSeal(new byte[] {1}).unsealedBytes());
        Block b = new Block(h, List.of(signed(), signed()));
        Block back = Block.decode(b.encode());
        assertEquals(b.header(), back.header());
        assertEquals(b.transactions(), back.transactions());
        assertEquals(b.transactions(), Block.decodeBody(b.encodeBody()));
        byte[] bad = b.encode();
        bad[bad.length - 1] ^= 0; // unchanged copy is fine
        assertThrows(IllegalArgumentException.class, () -> Block.decode(Arrays.copyOf(bad, bad.length - 1)));
    }

    @Test
    void merkleRootsSeparateLeavesFromNodesAndOrder() {
        Hash a = Hash.sha256(new byte[] {1});
        Hash b = Hash.sha256(new byte[] {2});
        Hash c = Hash.sha256(new byte[] {3});
        assertNotEquals(MerkleTree.root(List.of(a, b)), MerkleTree.root(List.of(b, a)));
        assertNotEquals(MerkleTree.root(List.of(a, b, c)), MerkleTree.root(List.of(a, b, c, c)));
        assertEquals(a, MerkleTree.root(List.of(a)));
        assertEquals(MerkleTree.EMPTY, MerkleTree.root(List.of()));
    }

    @Test
    void chainFileParsesBalancesScheduleAndSelf() {
        Properties p = new Properties();
        p.setProperty("chain.id", "dev");
        p.setProperty("balance.self", "50");
        p.setProperty("balance." + bob.peerId(), "7");
        p.setProperty("consensus.0.engine", "poa");
        p.setProperty("consensus.0.signers", "self");
        p.setProperty("consensus.0.period", "250");
        p.setProperty("consensus.1000.engine", "bft");
        ChainSpec spec = ChainSpec.parse(p, alice.peerId());
        assertEquals(57, spec.totalSupply());
        assertEquals("poa", spec.engineAt(999).engine());
        assertEquals("bft", spec.engineAt(1000).engine());
        assertEquals(List.of(alice.peerId()), spec.engineAt(1).peersParameter("signers"));
        assertEquals(250, spec.engineAt(1).longParameter("period", 0));
        assertArrayEquals(spec.encode(), ChainSpec.parse(p, alice.peerId()).encode());
        assertEquals("dev", spec.chainId());
        // A dev chain id ending in -self is each node's own: two lone nodes never share its topics.
        p.setProperty("chain.id", "hyphae-dev-self");
        assertEquals("hyphae-dev-" + alice.peerId(), ChainSpec.parse(p, alice.peerId()).chainId());
        assertNotEquals(ChainSpec.parse(p, alice.peerId()).chainId(), ChainSpec.parse(p, bob.peerId()).chainId());
        p.setProperty("balance.nonsense", "1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChainSpec.parse(p, alice.peerId()));
        assertTrue(e.getMessage().contains("balance.nonsense"), e.getMessage());
        Properties none = new Properties();
        none.setProperty("chain.id", "x");
        assertThrows(IllegalArgumentException.class, () -> ChainSpec.parse(none, alice.peerId()));
    }
}
