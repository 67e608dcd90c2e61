package org.hyphae.consensus.bft.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Hash;

/**
 * The engine's messages on its pubsub topic: {@code u8 version, u8 kind, body}. Proposals and
 * votes are signed by their author with a domain tag, the chain id, height and round, so a
 * signature cannot be replayed on another chain, height, round or step; a proposal's block travels
 * in parts whose concatenation the signed proposal names by hash.
 */
sealed interface BftMessage permits BftMessage.Vote, BftMessage.Proposal, BftMessage.Part, BftMessage.Offence {

    int VERSION = 1;
    /** Largest message accepted (pubsub's default limit is 1 MiB). */
    int MAX_MESSAGE = 1 << 20;
    /** Largest part of a proposed block. */
    int PART_SIZE = 512 * 1024;
    /** Most parts of one block: bounds what a proposer can make others buffer. */
    int MAX_PARTS = 8;

    int KIND_VOTE = 1;
    int KIND_PROPOSAL = 2;
    int KIND_PART = 3;
    int KIND_EVIDENCE = 4;
    int KIND_PROPOSAL_EVIDENCE = 5;

    /** The height the message is about. */
    long height();

    /** The round the message is about. */
    int round();

    /** Its bytes on the wire. */
    byte[] encode();

    /** Vote types, as in Tendermint. */
    int PREVOTE = 1;
    int PRECOMMIT = 2;
    /** The type recorded in the vote log for a signed proposal. */
    int PROPOSAL = 3;

    static String typeName(int type) {
        return switch (type) {
            case PREVOTE -> "prevote";
            case PRECOMMIT -> "precommit";
            case PROPOSAL -> "proposal";
            default -> "type " + type;
        };
    }

    /**
     * A prevote or precommit for a block id, or for nothing ({@link Hash#ZERO}).
     *
     * @param type {@link #PREVOTE} or {@link #PRECOMMIT}
     * @param height the height
     * @param round the round
     * @param blockId the block id voted for, {@link Hash#ZERO} for nil
     * @param validator who votes
     * @param signature the validator's signature of {@link #signedBytes}
     */
    record Vote(int type, long height, int round, Hash blockId, PeerId validator, byte[] signature) implements BftMessage {

        private static final byte[] DOMAIN = "hyphae/bft/vote/v1".getBytes(StandardCharsets.US_ASCII);

        boolean isNil() {
            return blockId.equals(Hash.ZERO);
        }

        static byte[] signedBytes(String chainId, int type, long height, int round, Hash blockId) {
            return new WireWriter().fixed(DOMAIN).string(chainId).u8(type).u64(height).u32(round).fixed(blockId.bytes()).toByteArray();
        }

        byte[] signedBytes(String chainId) {
            return signedBytes(chainId, type, height, round, blockId);
        }

        /** Whether the other vote is by the same validator for the same step but another block. */
        boolean conflictsWith(Vote o) {
            return validator.equals(o.validator) && type == o.type && height == o.height && round == o.round
                    && !blockId.equals(o.blockId);
        }

        void write(WireWriter w) {
            w.u8(type).u64(height).u32(round).fixed(blockId.bytes()).bytes(validator.bytes()).fixed(signature);
        }

        static Vote read(WireReader r) {
            int type = r.u8("vote type");
            if (type != PREVOTE && type != PRECOMMIT) {
                throw r.fail("vote type", "unknown vote type " + type);
            }
            long height = r.u64("height");
            int round = r.u32("round");
            if (height < 1 || round < 0) {
                throw r.fail("height/round", "out of range: " + height + "/" + round);
            }
            Hash id = Hash.of(r.fixed(Hash.LENGTH, "block id"));
            PeerId v = readPeer(r, "validator");
            byte[] sig = r.fixed(64, "signature");
            return new Vote(type, height, round, id, v, sig);
        }

        @Override
        public byte[] encode() {
            WireWriter w = new WireWriter().u8(VERSION).u8(KIND_VOTE);
            write(w);
            return w.toByteArray();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Vote v && type == v.type && height == v.height && round == v.round && blockId.equals(v.blockId)
                    && validator.equals(v.validator) && Arrays.equals(signature, v.signature);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(signature);
        }

        @Override
        public String toString() {
            return typeName(type) + " #" + height + "/" + round + " for " + (isNil() ? "nil" : blockId.shortHex()) + " by " + validator;
        }
    }

    /**
     * The proposer's block for a round, named by id and by the hash of its encoding (sent in parts).
     *
     * @param height the height
     * @param round the round
     * @param polRound the round of the prevote quorum that justifies re-proposing a locked block, or -1
     * @param blockId the block id (see {@link BftSeal#blockId})
     * @param partsHash SHA-256 of the encoded block, the concatenation of its parts
     * @param parts how many parts
     * @param proposer who proposes
     * @param signature the proposer's signature of {@link #signedBytes}
     */
    record Proposal(long height, int round, int polRound, Hash blockId, Hash partsHash, int parts, PeerId proposer,
            byte[] signature) implements BftMessage {

        private static final byte[] DOMAIN = "hyphae/bft/proposal/v1".getBytes(StandardCharsets.US_ASCII);

        static byte[] signedBytes(String chainId, long height, int round, int polRound, Hash blockId, Hash partsHash, int parts) {
            return new WireWriter().fixed(DOMAIN).string(chainId).u64(height).u32(round).u32(polRound).fixed(blockId.bytes())
                    .fixed(partsHash.bytes()).u16(parts).toByteArray();
        }

        byte[] signedBytes(String chainId) {
            return signedBytes(chainId, height, round, polRound, blockId, partsHash, parts);
        }

        @Override
        public byte[] encode() {
            return new WireWriter().u8(VERSION).u8(KIND_PROPOSAL).u64(height).u32(round).u32(polRound).fixed(blockId.bytes())
                    .fixed(partsHash.bytes()).u16(parts).bytes(proposer.bytes()).fixed(signature).toByteArray();
        }

        static Proposal read(WireReader r) {
            long height = r.u64("height");
            int round = r.u32("round");
            int polRound = r.u32("pol round");
            if (height < 1 || round < 0 || polRound < -1 || polRound >= round) {
                throw r.fail("height/round", "out of range: " + height + "/" + round + "/" + polRound);
            }
            Hash id = Hash.of(r.fixed(Hash.LENGTH, "block id"));
            Hash ph = Hash.of(r.fixed(Hash.LENGTH, "parts hash"));
            int parts = r.u16("parts");
            if (parts < 1 || parts > MAX_PARTS) {
                throw r.fail("parts", parts + " parts, expected 1 to " + MAX_PARTS);
            }
            PeerId p = readPeer(r, "proposer");
            byte[] sig = r.fixed(64, "signature");
            return new Proposal(height, round, polRound, id, ph, parts, p, sig);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Proposal p && Arrays.equals(encode(), p.encode());
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(signature);
        }

        @Override
        public String toString() {
            return "proposal #" + height + "/" + round + " of " + blockId.shortHex() + " by " + proposer;
        }
    }

    /**
     * A slice of a proposed block's encoding. Not signed itself: the proposal's parts hash covers it.
     *
     * @param height the height
     * @param round the round
     * @param index which part, from 0
     * @param data the bytes
     */
    record Part(long height, int round, int index, byte[] data) implements BftMessage {
        @Override
        public byte[] encode() {
            return new WireWriter().u8(VERSION).u8(KIND_PART).u64(height).u32(round).u16(index).bytes(data).toByteArray();
        }

        static Part read(WireReader r) {
            long height = r.u64("height");
            int round = r.u32("round");
            if (height < 1 || round < 0) {
                throw r.fail("height/round", "out of range: " + height + "/" + round);
            }
            int index = r.u16("index");
            if (index >= MAX_PARTS) {
                throw r.fail("index", "part " + index + " of at most " + MAX_PARTS);
            }
            return new Part(height, round, index, r.bytes(PART_SIZE, "data"));
        }
    }

    /** Proof that a validator signed two different things for one step: kept, gossiped, shown. */
    sealed interface Offence extends BftMessage permits Evidence, ProposalEvidence {
        /** Who signed twice. */
        PeerId offender();

        /** The step: {@link #PREVOTE}, {@link #PRECOMMIT} or {@link #PROPOSAL}. */
        int type();

        /** The same offence with its two statements in a canonical order (both orders are one offence). */
        Offence canonical();
    }

    /**
     * Two signed votes of one validator for the same height, round and type but different blocks.
     *
     * @param first one vote
     * @param second the conflicting vote
     */
    record Evidence(Vote first, Vote second) implements Offence {
        @Override
        public PeerId offender() {
            return first.validator();
        }

        @Override
        public int type() {
            return first.type();
        }

        @Override
        public long height() {
            return first.height();
        }

        @Override
        public int round() {
            return first.round();
        }

        /** The votes in a canonical order, so both orders of the same pair are the same evidence. */
        @Override
        public Evidence canonical() {
            return first.blockId().compareTo(second.blockId()) <= 0 ? this : new Evidence(second, first);
        }

        @Override
        public byte[] encode() {
            WireWriter w = new WireWriter().u8(VERSION).u8(KIND_EVIDENCE);
            first.write(w);
            second.write(w);
            return w.toByteArray();
        }

        static Evidence read(WireReader r) {
            Vote a = Vote.read(r);
            Vote b = Vote.read(r);
            if (!a.conflictsWith(b)) {
                throw r.fail("votes", "the two votes do not conflict: " + a + " / " + b);
            }
            return new Evidence(a, b);
        }

        @Override
        public String toString() {
            return first.validator() + " signed two " + typeName(first.type()) + "s at #" + first.height() + "/" + first.round()
                    + ": " + (first.isNil() ? "nil" : first.blockId().shortHex()) + " and "
                    + (second.isNil() ? "nil" : second.blockId().shortHex());
        }
    }

    /**
     * Two signed proposals of one proposer for the same height and round that differ (another block,
     * other parts or another proof-of-lock round): a proposer may propose once per round.
     *
     * @param first one proposal
     * @param second the conflicting proposal
     */
    record ProposalEvidence(Proposal first, Proposal second) implements Offence {
        @Override
        public PeerId offender() {
            return first.proposer();
        }

        @Override
        public int type() {
            return PROPOSAL;
        }

        @Override
        public long height() {
            return first.height();
        }

        @Override
        public int round() {
            return first.round();
        }

        /** Whether two proposals are by the same proposer for the same height and round but say different things. */
        static boolean conflict(Proposal a, Proposal b) {
            return a.proposer().equals(b.proposer()) && a.height() == b.height() && a.round() == b.round()
                    && (!a.blockId().equals(b.blockId()) || !a.partsHash().equals(b.partsHash()) || a.parts() != b.parts()
                            || a.polRound() != b.polRound());
        }

        @Override
        public ProposalEvidence canonical() {
            return Arrays.compareUnsigned(first.signature(), second.signature()) <= 0 ? this : new ProposalEvidence(second, first);
        }

        @Override
        public byte[] encode() {
            byte[] a = first.encode();
            byte[] b = second.encode();
            // Each proposal as sent (its own version and kind bytes), length-prefixed.
            return new WireWriter().u8(VERSION).u8(KIND_PROPOSAL_EVIDENCE).bytes(a).bytes(b).toByteArray();
        }

        static ProposalEvidence read(WireReader r) {
            Proposal a = inner(r.bytes(1024, "first proposal"));
            Proposal b = inner(r.bytes(1024, "second proposal"));
            if (!conflict(a, b)) {
                throw r.fail("proposals", "the two proposals do not conflict: " + a + " / " + b);
            }
            return new ProposalEvidence(a, b);
        }

        private static Proposal inner(byte[] bytes) {
            if (!(decode(bytes) instanceof Proposal p)) {
                throw new IllegalArgumentException("bft proposal evidence: an entry is not a proposal");
            }
            return p;
        }

        @Override
        public String toString() {
            return first.proposer() + " signed two proposals at #" + first.height() + "/" + first.round() + ": "
                    + first.blockId().shortHex() + " and " + second.blockId().shortHex()
                    + (first.blockId().equals(second.blockId()) ? " (other parts or proof-of-lock round)" : "");
        }
    }

    private static PeerId readPeer(WireReader r, String field) {
        byte[] b = r.bytes(64, field);
        try {
            return PeerId.fromBytes(b);
        } catch (IllegalArgumentException e) {
            throw r.fail(field, "not a peer id: " + e.getMessage());
        }
    }

    /**
     * Decodes a message strictly.
     *
     * @throws IllegalArgumentException if it is too large, of an unknown version or kind, or malformed; the
     *     message says where
     */
    static BftMessage decode(byte[] bytes) {
        if (bytes.length > MAX_MESSAGE) {
            throw new IllegalArgumentException("bft message of " + bytes.length + " bytes exceeds " + MAX_MESSAGE);
        }
        WireReader r = new WireReader("bft message", bytes);
        int version = r.u8("version");
        if (version != VERSION) {
            throw r.fail("version", "unknown version " + version + ", this node reads " + VERSION);
        }
        int kind = r.u8("kind");
        BftMessage m = switch (kind) {
            case KIND_VOTE -> Vote.read(r);
            case KIND_PROPOSAL -> Proposal.read(r);
            case KIND_PART -> Part.read(r);
            case KIND_EVIDENCE -> Evidence.read(r);
            case KIND_PROPOSAL_EVIDENCE -> ProposalEvidence.read(r);
            default -> throw r.fail("kind", "unknown message kind " + kind);
        };
        r.end();
        return m;
    }
}
