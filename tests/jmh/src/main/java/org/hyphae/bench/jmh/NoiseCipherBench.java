package org.hyphae.bench.jmh;

import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.hyphae.host.internal.noise.CipherState;
import org.hyphae.host.internal.noise.NoiseException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Noise transport cipher as the connection uses it (a full 65,535-byte transport message,
 * pooled direct buffers, the nonce counter) against the JDK's ChaCha20-Poly1305 on plain arrays,
 * the cipher's own speed. Each operation seals one message and opens it again, so the two nonce
 * counters stay in step; the ratio is what the transport's wrapping costs on top of the cipher.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NoiseCipherBench {

    /** The largest plaintext of one Noise transport message (65,535 bytes with the tag). */
    static final int PAYLOAD = 65535 - CipherState.TAG_LENGTH;

    private CipherState sender;
    private CipherState receiver;
    private ByteBuf plain;
    private ByteBuf sealed;
    private ByteBuf opened;
    private ByteBuf heapPlain;
    private ByteBuf heapSealed;
    private ByteBuf heapOpened;

    private Cipher jdk;
    private SecretKeySpec key;
    private final byte[] nonce = new byte[12];
    private long counter;
    private byte[] plainArray;
    private byte[] sealedArray;
    private byte[] openedArray;

    @Setup
    public void setUp() throws GeneralSecurityException {
        byte[] k = new byte[32];
        new Random(1).nextBytes(k);
        sender = new CipherState(k);
        receiver = new CipherState(k);
        plainArray = new byte[PAYLOAD];
        new Random(2).nextBytes(plainArray);
        plain = PooledByteBufAllocator.DEFAULT.directBuffer(PAYLOAD);
        plain.writeBytes(plainArray);
        sealed = PooledByteBufAllocator.DEFAULT.directBuffer(PAYLOAD + CipherState.TAG_LENGTH);
        opened = PooledByteBufAllocator.DEFAULT.directBuffer(PAYLOAD);
        heapPlain = PooledByteBufAllocator.DEFAULT.heapBuffer(PAYLOAD);
        heapPlain.writeBytes(plainArray);
        heapSealed = PooledByteBufAllocator.DEFAULT.heapBuffer(PAYLOAD + CipherState.TAG_LENGTH);
        heapOpened = PooledByteBufAllocator.DEFAULT.heapBuffer(PAYLOAD);
        jdk = Cipher.getInstance("ChaCha20-Poly1305");
        key = new SecretKeySpec(k, "ChaCha20");
        sealedArray = new byte[PAYLOAD + CipherState.TAG_LENGTH];
        openedArray = new byte[PAYLOAD];
    }

    @TearDown
    public void tearDown() {
        plain.release();
        sealed.release();
        opened.release();
        heapPlain.release();
        heapSealed.release();
        heapOpened.release();
    }

    /** The same on heap buffers, to tell the cipher's cost from the buffers' kind. */
    @Benchmark
    public ByteBuf noiseSealAndOpenHeap() throws NoiseException {
        return sealAndOpen(heapPlain, heapSealed, heapOpened);
    }

    @Benchmark
    public ByteBuf noiseSealAndOpen() throws NoiseException {
        return sealAndOpen(plain, sealed, opened);
    }

    private ByteBuf sealAndOpen(ByteBuf in, ByteBuf sealedOut, ByteBuf openedOut) throws NoiseException {
        sealedOut.clear();
        openedOut.clear();
        sender.encrypt(in, 0, PAYLOAD, sealedOut);
        receiver.decrypt(sealedOut, 0, sealedOut.readableBytes(), openedOut);
        return openedOut;
    }

    @Benchmark
    public byte[] jdkSealAndOpen() throws GeneralSecurityException {
        long v = counter++;
        for (int i = 4; i < 12; i++) {
            nonce[i] = (byte) v;
            v >>>= 8;
        }
        jdk.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
        int n = jdk.doFinal(plainArray, 0, PAYLOAD, sealedArray, 0);
        jdk.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
        jdk.doFinal(sealedArray, 0, n, openedArray, 0);
        return openedArray;
    }
}
