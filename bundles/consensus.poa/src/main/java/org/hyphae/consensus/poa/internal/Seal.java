package org.hyphae.consensus.poa.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.BlockHeader;

/**
 * A proof-of-authority seal: {@code u8 version, u8 vote (0 none, 1 add, 2 remove), [u32 length,
 * target peer id], 64-byte Ed25519 signature}. The signature covers the domain tag
 * {@code hyphae/poa/v1}, the header without its seal, and the vote bytes, so neither the block nor
 * the vote can be changed without the signer's key.
 *
 * @param vote the signer's vote, if it casts one
 * @param signature the proposer's signature
 */
record Seal(Optional<Vote> vote, byte[] signature) {

    static final int VERSION = 1;
    private static final byte[] DOMAIN = "hyphae/poa/v1".getBytes(StandardCharsets.US_ASCII);

    /**
     * A vote to add a peer to the signers or remove one.
     *
     * @param target the peer voted on
     * @param add true to add, false to remove
     */
    record Vote(PeerId target, boolean add) {
        static Vote parse(String text) {
            String t = text.trim();
            int colon = t.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("a vote is add:<peer id> or remove:<peer id>, got " + text);
            }
            String kind = t.substring(0, colon).trim();
            PeerId target = PeerId.parse(t.substring(colon + 1).trim());
            if (kind.equals("add")) {
                return new Vote(target, true);
            }
            if (kind.equals("remove")) {
                return new Vote(target, false);
            }
            throw new IllegalArgumentException("a vote is add:<peer id> or remove:<peer id>, got " + text);
        }
    }

    static byte[] voteBytes(Optional<Vote> vote) {
        if (vote.isEmpty()) {
            return new byte[] {0};
        }
        byte[] t = vote.get().target().bytes();
        return ByteBuffer.allocate(1 + 4 + t.length).put((byte) (vote.get().add() ? 1 : 2)).putInt(t.length).put(t).array();
    }

    static byte[] signedBytes(BlockHeader header, Optional<Vote> vote) {
        byte[] u = header.unsealedBytes();
        byte[] v = voteBytes(vote);
        return ByteBuffer.allocate(DOMAIN.length + u.length + v.length).put(DOMAIN).put(u).put(v).array();
    }

    byte[] encode() {
        byte[] v = voteBytes(vote);
        return ByteBuffer.allocate(1 + v.length + signature.length).put((byte) VERSION).put(v).put(signature).array();
    }

    static Seal decode(byte[] seal) {
        ByteBuffer in = ByteBuffer.wrap(seal);
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("empty seal");
        }
        int version = in.get() & 0xff;
        if (version != VERSION) {
            throw new IllegalArgumentException("seal version " + version + ", expected " + VERSION);
        }
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("seal ends before the vote");
        }
        int kind = in.get() & 0xff;
        Optional<Vote> vote;
        if (kind == 0) {
            vote = Optional.empty();
        } else if (kind == 1 || kind == 2) {
            if (in.remaining() < 4) {
                throw new IllegalArgumentException("seal ends inside the vote target length");
            }
            int n = in.getInt();
            if (n <= 0 || n > 64 || in.remaining() < n) {
                throw new IllegalArgumentException("seal vote target length " + n + " is out of range");
            }
            byte[] t = new byte[n];
            in.get(t);
            vote = Optional.of(new Vote(PeerId.fromBytes(t), kind == 1));
        } else {
            throw new IllegalArgumentException("unknown vote kind " + kind);
        }
        if (in.remaining() != 64) {
            throw new IllegalArgumentException("seal signature is " + in.remaining() + " bytes, expected 64");
        }
        byte[] sig = new byte[64];
        in.get(sig);
        return new Seal(vote, sig);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Seal s && vote.equals(s.vote) && Arrays.equals(signature, s.signature);
    }

    @Override
    public int hashCode() {
        return vote.hashCode() * 31 + Arrays.hashCode(signature);
    }
}
