package org.hyphae.host.internal.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * libsodium's ChaCha20-Poly1305 and the JDK's, side by side: the same bytes for every kind of
 * buffer, each opens what the other sealed, and a changed byte or an exhausted nonce is refused
 * by both.
 */
class CipherStateTest {

    private static final byte[] KEY = new byte[32];

    @BeforeAll
    static void nativeWhereCiInstallsIt() {
        new Random(7).nextBytes(KEY);
        // CI installs libsodium (.ci/run); there the native path must be the one in use, or this class tests nothing new.
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(CipherState.implementation().startsWith("libsodium"), CipherState.implementation());
        }
    }

    private static CipherState nativeState() {
        CipherState s = new CipherState(KEY);
        assumeTrue(s.prefersDirectBuffers(), "libsodium is not loaded here: " + CipherState.implementation());
        return s;
    }

    private static byte[] payload(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] seal(CipherState s, ByteBuf in, boolean directOut) throws NoiseException {
        int length = in.readableBytes();
        ByteBuf out = directOut ? Unpooled.directBuffer(length + CipherState.TAG_LENGTH) : Unpooled.buffer(length + CipherState.TAG_LENGTH);
        try {
            s.encrypt(in, in.readerIndex(), length, out);
            assertEquals(length + CipherState.TAG_LENGTH, out.readableBytes());
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            in.release();
        }
    }

    private static byte[] open(CipherState s, ByteBuf in, boolean directOut) throws NoiseException {
        int length = in.readableBytes();
        ByteBuf out = directOut ? Unpooled.directBuffer(length) : Unpooled.buffer(length);
        try {
            s.decrypt(in, in.readerIndex(), length, out);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            in.release();
        }
    }

    private static ByteBuf direct(byte[] bytes) {
        return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }

    private static ByteBuf composite(byte[] bytes) {
        // Three pieces, heap and direct mixed, as yamux writes a header and the caller's bytes.
        CompositeByteBuf c = Unpooled.compositeBuffer();
        int a = bytes.length / 3;
        int b = 2 * bytes.length / 3;
        c.addComponent(true, Unpooled.wrappedBuffer(bytes, 0, a));
        c.addComponent(true, direct(java.util.Arrays.copyOfRange(bytes, a, b)));
        c.addComponent(true, Unpooled.wrappedBuffer(bytes, b, bytes.length - b));
        return c;
    }

    @Test
    void sameCiphertextAsTheJdkForEveryKindOfBuffer() throws Exception {
        nativeState();
        int[] lengths = {0, 1, 15, 16, 17, 1000, 4096, 65519};
        long[] nonces = {0, 1, 255, 256, 1L << 32, Long.MAX_VALUE, -2L};
        for (int i = 0; i < lengths.length; i++) {
            byte[] plain = payload(lengths[i], i);
            long nonce = nonces[i % nonces.length];
            byte[] expected = sealAt(new CipherState(KEY, false), nonce, Unpooled.wrappedBuffer(plain), false);
            String what = plain.length + " bytes at nonce " + nonce + ": ";
            assertArrayEquals(expected, sealAt(nativeState(), nonce, direct(plain), true), what + "direct input");
            assertArrayEquals(expected, sealAt(nativeState(), nonce, Unpooled.wrappedBuffer(plain), true), what + "heap input");
            if (plain.length >= 3) {
                assertArrayEquals(expected, sealAt(nativeState(), nonce, composite(plain), true), what + "composite input");
            }
            // A heap output buffer: the JDK's cipher does it, with the same result.
            assertArrayEquals(expected, sealAt(nativeState(), nonce, direct(plain), false), what + "heap output");
        }
    }

    private static byte[] sealAt(CipherState s, long nonce, ByteBuf in, boolean directOut) throws NoiseException {
        s.nonce(nonce);
        byte[] sealed = seal(s, in, directOut);
        assertEquals(nonce + 1, s.nonce());
        return sealed;
    }

    @Test
    void eachOpensWhatTheOtherSealed() throws Exception {
        CipherState sodiumOut = nativeState();
        CipherState jdkIn = new CipherState(KEY, false);
        CipherState jdkOut = new CipherState(KEY, false);
        CipherState sodiumIn = nativeState();
        for (int i = 0; i < 50; i++) {
            byte[] plain = payload(1 + i * 1300, 100 + i);
            assertArrayEquals(plain, open(jdkIn, Unpooled.wrappedBuffer(seal(sodiumOut, direct(plain), true)), false));
            byte[] sealed = seal(jdkOut, Unpooled.wrappedBuffer(plain), false);
            assertArrayEquals(plain, open(sodiumIn, i % 2 == 0 ? direct(sealed) : Unpooled.wrappedBuffer(sealed), true));
        }
    }

    @Test
    void anEmptyMessageOpensIntoAnEmptyBuffer() throws Exception {
        // A frame of just a tag: the codec allocates a zero-byte direct buffer for its plaintext.
        byte[] sealed = seal(new CipherState(KEY, false), Unpooled.wrappedBuffer(new byte[0]), false);
        assertEquals(CipherState.TAG_LENGTH, sealed.length);
        CipherState s = nativeState();
        ByteBuf out = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(0);
        ByteBuf in = direct(sealed);
        try {
            s.decrypt(in, 0, sealed.length, out);
            assertEquals(0, out.readableBytes());
        } finally {
            out.release();
            in.release();
        }
    }

    @Test
    void aChangedByteIsRefusedAndSaysSo() throws Exception {
        CipherState sender = new CipherState(KEY, false);
        byte[] sealed = seal(sender, Unpooled.wrappedBuffer(payload(2000, 9)), false);
        for (int at : new int[] {0, 1000, sealed.length - 1}) {
            byte[] bad = sealed.clone();
            bad[at] ^= 0x01;
            CipherState receiver = nativeState();
            NoiseException e = assertThrows(NoiseException.class, () -> open(receiver, direct(bad), true));
            assertTrue(e.getMessage().contains("2016-byte transport message failed"), e.getMessage());
            CipherState jdk = new CipherState(KEY, false);
            assertThrows(NoiseException.class, () -> open(jdk, Unpooled.wrappedBuffer(bad), false));
        }
        // The wrong nonce (a message replayed or skipped) fails the same way.
        CipherState ahead = nativeState();
        ahead.nonce(1);
        assertThrows(NoiseException.class, () -> open(ahead, direct(sealed), true));
    }

    @Test
    void theLastNonceIsNeverUsed() {
        CipherState s = nativeState();
        s.nonce(-1L);
        NoiseException e = assertThrows(NoiseException.class, () -> seal(s, direct(payload(10, 1)), true));
        assertTrue(e.getMessage().contains("nonce exhausted"), e.getMessage());
    }

    @Test
    void switchedOffByTheJdkPath() throws Exception {
        CipherState jdk = new CipherState(KEY, false);
        assertEquals(false, jdk.prefersDirectBuffers());
        byte[] plain = payload(300, 3);
        // A direct output buffer on the JDK path works too.
        assertArrayEquals(plain, open(new CipherState(KEY, false), direct(seal(jdk, direct(plain), true)), true));
    }
}
