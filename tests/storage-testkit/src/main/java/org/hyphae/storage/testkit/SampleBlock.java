package org.hyphae.storage.testkit;

import java.util.Random;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;

/**
 * A block and its CID, for tests.
 *
 * @param cid the CIDv1 (raw, sha2-256) of the data
 * @param data the block's bytes
 */
public record SampleBlock(Cid cid, byte[] data) {

    /**
     * Makes a block of random bytes.
     *
     * @param random the source, seeded for reproducible tests
     * @param size the block's size
     * @return the block with its raw sha2-256 CIDv1
     */
    public static SampleBlock random(Random random, int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        return of(data);
    }

    /**
     * Wraps bytes.
     *
     * @param data the block's bytes
     * @return the block with its raw sha2-256 CIDv1
     */
    public static SampleBlock of(byte[] data) {
        return new SampleBlock(Cid.v1(Multicodec.RAW, Multihash.sha2_256(data)), data);
    }
}
