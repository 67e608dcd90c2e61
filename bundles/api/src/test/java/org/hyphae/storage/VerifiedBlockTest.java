package org.hyphae.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.junit.jupiter.api.Test;

class VerifiedBlockTest {

    private static final byte[] DATA = "hello verified block".getBytes();

    @Test
    void theCidIsTheOneTheBytesHashTo() {
        VerifiedBlock raw = VerifiedBlock.compute(1, Multicodec.RAW.code(), Multicodec.SHA2_256.code(), DATA);
        assertEquals(Cid.v1(Multicodec.RAW, Multihash.sha2_256(DATA)), raw.cid());
        assertSame(DATA, raw.data(), "not copied");
        VerifiedBlock v0 = VerifiedBlock.compute(0, Multicodec.DAG_PB.code(), Multicodec.SHA2_256.code(), DATA);
        assertEquals(Cid.v0(Multihash.sha2_256(DATA)), v0.cid());
        VerifiedBlock identity = VerifiedBlock.compute(1, Multicodec.RAW.code(), Multicodec.IDENTITY.code(), DATA);
        assertEquals(Cid.v1(Multicodec.RAW, Multihash.identity(DATA)), identity.cid());
    }

    @Test
    void whatCannotBeHashedOrIsNoCidIsRefused() {
        IllegalArgumentException hash = assertThrows(IllegalArgumentException.class,
                () -> VerifiedBlock.compute(1, Multicodec.RAW.code(), Multicodec.SHA2_512.code(), DATA));
        assertTrue(hash.getMessage().contains("sha2-512"), hash.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> VerifiedBlock.compute(0, Multicodec.RAW.code(), Multicodec.SHA2_256.code(), DATA), "v0 is dag-pb only");
        assertThrows(IllegalArgumentException.class,
                () -> VerifiedBlock.compute(2, Multicodec.RAW.code(), Multicodec.SHA2_256.code(), DATA));
    }
}
