package org.hyphae.consensus.bft.internal;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import org.hyphae.ledger.Block;
import org.hyphae.ledger.Hash;

/** A round's proposal and the parts of its block as they arrive, put together against what the proposal signs. */
final class RoundProposal {

    BftMessage.Proposal proposal;
    Block block;
    private final byte[][] parts = new byte[BftMessage.MAX_PARTS][];

    /** Keeps a part unless the block is complete or the part came already; true if kept. */
    boolean addPart(int index, byte[] data) {
        if (block != null || parts[index] != null) {
            return false;
        }
        parts[index] = data;
        return true;
    }

    /**
     * Puts the block together once the proposal and all its parts are here.
     *
     * @return the block, just put together; null while something is missing or if it was done before
     * @throws IllegalArgumentException saying what is wrong with the parts (a parts hash that does not
     *     match also forgets the proposal, so that the proposer's next one counts)
     */
    Block assemble() {
        BftMessage.Proposal p = proposal;
        if (p == null || block != null) {
            return null;
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < p.parts(); i++) {
            if (parts[i] == null) {
                return null;
            }
            all.writeBytes(parts[i]);
        }
        byte[] bytes = all.toByteArray();
        Arrays.fill(parts, null);
        if (!Hash.sha256(bytes).equals(p.partsHash())) {
            proposal = null;
            throw new IllegalArgumentException("its parts do not hash to the signed parts hash");
        }
        Block b;
        try {
            b = Block.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed block: " + e.getMessage(), e);
        }
        Hash id;
        try {
            id = BftSeal.blockId(b.header());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed seal: " + e.getMessage(), e);
        }
        if (!id.equals(p.blockId())) {
            throw new IllegalArgumentException("the block's id is " + id.shortHex());
        }
        block = b;
        return b;
    }
}
