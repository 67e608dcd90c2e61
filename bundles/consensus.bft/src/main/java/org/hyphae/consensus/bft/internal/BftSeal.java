package org.hyphae.consensus.bft.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Hash;

/**
 * A BFT block's seal: {@code u8 version, u32 round, u8 change count, changes (bytes peer, u64
 * power), u16 commit count, commits (u16 validator index, 64-byte precommit signature)}. The
 * commits are the precommits of the round that decided the block, by index into the validator set
 * of the block's height, in ascending order, holding more than two thirds of its power: a syncing
 * node checks them instead of replaying the votes.
 *
 * <p>Votes sign the {@linkplain #blockId block id}, not the header hash: the header hash covers the
 * seal, and the seal holds the votes, so votes cannot sign it. The block id covers everything of
 * the header but the seal, plus the seal's validator changes, which the votes must commit to as
 * Tendermint's votes commit to the next validator set. The round and commits are the proof itself.
 *
 * @param round the round that decided the block
 * @param changes the validator changes the block's transactions asked for, effective from the next height
 * @param commits the commit certificate; empty in a proposed block
 */
record BftSeal(int round, List<ValidatorChange> changes, List<Commit> commits) {

    static final int VERSION = 1;
    private static final byte[] DOMAIN = "hyphae/bft/block/v1".getBytes(StandardCharsets.US_ASCII);

    /**
     * One precommit signature.
     *
     * @param index the validator's index in the height's set
     * @param signature its precommit signature
     */
    record Commit(int index, byte[] signature) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Commit c && index == c.index && Arrays.equals(signature, c.signature);
        }

        @Override
        public int hashCode() {
            return index * 31 + Arrays.hashCode(signature);
        }
    }

    BftSeal {
        changes = List.copyOf(changes);
        commits = List.copyOf(commits);
    }

    static byte[] encodeChanges(List<ValidatorChange> changes) {
        WireWriter w = new WireWriter().u8(changes.size());
        for (ValidatorChange c : changes) {
            w.bytes(c.peer().bytes()).u64(c.power());
        }
        return w.toByteArray();
    }

    /** What votes sign for a block: its header without the seal and the validator changes it makes. */
    static Hash blockId(BlockHeader header, List<ValidatorChange> changes) {
        return Hash.sha256(DOMAIN, header.unsealedBytes(), encodeChanges(changes));
    }

    /** The block id of a sealed (or proposed) header. */
    static Hash blockId(BlockHeader header) {
        return blockId(header, decode(header.seal()).changes());
    }

    byte[] encode() {
        WireWriter w = new WireWriter().u8(VERSION).u32(round).fixed(encodeChanges(changes)).u16(commits.size());
        for (Commit c : commits) {
            w.u16(c.index()).fixed(c.signature());
        }
        return w.toByteArray();
    }

    /**
     * Decodes a seal strictly.
     *
     * @throws IllegalArgumentException if malformed; the message says where
     */
    static BftSeal decode(byte[] seal) {
        WireReader r = new WireReader("bft seal", seal);
        int version = r.u8("version");
        if (version != VERSION) {
            throw r.fail("version", "unknown seal version " + version + ", expected " + VERSION);
        }
        int round = r.u32("round");
        if (round < 0) {
            throw r.fail("round", "negative round");
        }
        int n = r.u8("change count");
        if (n > ValidatorChange.MAX_PER_BLOCK) {
            throw r.fail("change count", n + " changes exceed " + ValidatorChange.MAX_PER_BLOCK);
        }
        List<ValidatorChange> changes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] p = r.bytes(64, "change " + i + " peer");
            PeerId peer;
            try {
                peer = PeerId.fromBytes(p);
            } catch (IllegalArgumentException e) {
                throw r.fail("change " + i + " peer", "not a peer id: " + e.getMessage());
            }
            long power = r.u64("change " + i + " power");
            if (power < 0 || power > ValidatorChange.MAX_POWER) {
                throw r.fail("change " + i + " power", "power " + power + " out of range");
            }
            changes.add(new ValidatorChange(peer, power));
        }
        int c = r.u16("commit count");
        if (c > ValidatorSet.MAX_VALIDATORS) {
            throw r.fail("commit count", c + " commits exceed " + ValidatorSet.MAX_VALIDATORS + " validators");
        }
        List<Commit> commits = new ArrayList<>(c);
        int last = -1;
        for (int i = 0; i < c; i++) {
            int index = r.u16("commit " + i + " index");
            if (index <= last) {
                throw r.fail("commit " + i + " index", "validator indexes must ascend, " + index + " after " + last);
            }
            last = index;
            commits.add(new Commit(index, r.fixed(64, "commit " + i + " signature")));
        }
        r.end();
        return new BftSeal(round, changes, commits);
    }
}
