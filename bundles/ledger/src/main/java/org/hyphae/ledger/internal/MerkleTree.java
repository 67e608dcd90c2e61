package org.hyphae.ledger.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Account;
import org.hyphae.ledger.Hash;
import org.hyphae.ledger.Transaction;

/**
 * Binary SHA-256 Merkle roots with domain separation: a leaf is {@code H(0x00 || data)}, an inner
 * node {@code H(0x01 || left || right)}, an odd node moves up unchanged (so no two lists share a
 * root, unlike Bitcoin's duplication), and the empty tree is {@code H(0x02)}.
 */
final class MerkleTree {

    static final Hash EMPTY = Hash.sha256(new byte[] {2});

    private MerkleTree() {
    }

    static Hash root(List<Hash> leaves) {
        if (leaves.isEmpty()) {
            return EMPTY;
        }
        List<byte[]> level = new ArrayList<>(leaves.size());
        for (Hash h : leaves) {
            level.add(h.bytes());
        }
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i < level.size(); i += 2) {
                next.add(i + 1 == level.size() ? level.get(i) : inner(level.get(i), level.get(i + 1)));
            }
            level = next;
        }
        return Hash.of(level.get(0));
    }

    /** The transaction root of a block: over {@code H(0x00 || txid)} in block order. */
    static Hash transactionRoot(List<Transaction> txs) {
        List<Hash> leaves = new ArrayList<>(txs.size());
        for (Transaction t : txs) {
            leaves.add(Hash.sha256(new byte[] {0}, t.hash().bytes()));
        }
        return root(leaves);
    }

    /** An account's leaf: {@code H(0x00 || u32 len || account bytes || u64 balance || u64 nonce)}. */
    static Hash accountLeaf(PeerId account, Account state) {
        byte[] id = account.bytes();
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + id.length + 16);
        b.put((byte) 0).putInt(id.length).put(id).putLong(state.balance()).putLong(state.nonce());
        return Hash.sha256(b.array());
    }

    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(MerkleTree::sha256);

    /** An inner node: {@code H(0x01 || left || right)}. */
    static byte[] inner(byte[] left, byte[] right) {
        MessageDigest md = DIGEST.get();
        md.update((byte) 1);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
