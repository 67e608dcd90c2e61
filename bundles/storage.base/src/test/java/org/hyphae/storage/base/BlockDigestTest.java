package org.hyphae.storage.base;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.BlockMismatchException;
import org.hyphae.storage.CorruptDataException;
import org.junit.jupiter.api.Test;

class BlockDigestTest {

    @Test
    void checksEveryHashFunctionItNamesAndTruncatedDigests() throws Exception {
        byte[] data = "hyphae".getBytes();
        for (String[] f : new String[][] {{"SHA-256", "18"}, {"SHA-512", "19"}, {"SHA3-256", "22"}, {"SHA-1", "17"}}) {
            byte[] digest = MessageDigest.getInstance(f[0]).digest(data);
            Cid cid = Cid.v1(Multicodec.RAW, Multihash.of(Long.parseLong(f[1]), digest));
            assertTrue(BlockDigest.matches(cid, data), f[0]);
            assertFalse(BlockDigest.matches(cid, "hyphaE".getBytes()), f[0]);
            Cid truncated = Cid.v1(Multicodec.RAW, Multihash.of(Long.parseLong(f[1]), Arrays.copyOf(digest, 16)));
            assertTrue(BlockDigest.matches(truncated, data), f[0] + " truncated");
        }
        Cid identity = Cid.v1(Multicodec.RAW, Multihash.identity(data));
        assertTrue(BlockDigest.matches(identity, data));
        assertFalse(BlockDigest.matches(identity, "hyphaeX".getBytes()), "identity data must match exactly");
        Cid tooLong = Cid.v1(Multicodec.RAW, Multihash.of(Multicodec.SHA2_256.code(), new byte[33]));
        assertThrows(BlockMismatchException.class, () -> BlockDigest.forCid(tooLong));
    }

    @Test
    void aVerifyingStreamThrowsAtTheEndInsteadOfReportingIt() throws Exception {
        byte[] data = new byte[100_000];
        Arrays.fill(data, (byte) 7);
        Cid cid = Cid.v1(Multicodec.RAW, Multihash.sha2_256(data));
        try (InputStream in = new VerifyingInputStream(new ByteArrayInputStream(data), cid, "here")) {
            assertTrue(Arrays.equals(data, in.readAllBytes()));
        }
        data[99_999] = 8;
        try (InputStream in = new VerifyingInputStream(new ByteArrayInputStream(data), cid, "/some/file")) {
            in.skip(50_000);
            CorruptDataException e = assertThrows(CorruptDataException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains(cid.toString()) && e.getMessage().contains("/some/file"), e.getMessage());
        }
    }
}
