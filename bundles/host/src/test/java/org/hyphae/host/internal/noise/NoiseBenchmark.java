package org.hyphae.host.internal.noise;

import org.hyphae.transport.testkit.TestIdentity;
import java.security.SecureRandom;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Not a test: {@code main} measures, in one run, the JDK's raw ChaCha20-Poly1305 (encrypt then
 * decrypt of 65519-byte messages on byte arrays, one core) and the Noise transport codec doing the
 * same work through Netty (framing, pooled buffers, nonce handling), and prints both and their
 * ratio. Run with the leak detector off, e.g.
 * {@code java -cp <test classpath> org.hyphae.host.internal.noise.NoiseBenchmark [seconds]}.
 */
public final class NoiseBenchmark {

    private static final int MESSAGE = 65519;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        System.out.println("java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " cores");
        for (int round = 0; round < 2; round++) {
            double raw = rawJdk(seconds);
            double codec = codec(seconds);
            System.out.printf("round %d: raw JDK ChaCha20-Poly1305 encrypt+decrypt %.0f MB/s; Noise codec encrypt+decrypt "
                    + "%.0f MB/s (%.0f%% of raw)%n", round + 1, raw, codec, 100 * codec / raw);
        }
    }

    /** MB of plaintext per second, each byte encrypted and decrypted once. */
    public static double rawJdk(double seconds) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        SecretKeySpec k = new SecretKeySpec(key, "ChaCha20");
        Cipher enc = Cipher.getInstance("ChaCha20-Poly1305");
        Cipher dec = Cipher.getInstance("ChaCha20-Poly1305");
        byte[] plain = new byte[MESSAGE];
        byte[] sealed = new byte[MESSAGE + 16];
        byte[] opened = new byte[MESSAGE];
        byte[] nonce = new byte[12];
        long n = 0;
        long bytes = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            for (int i = 0; i < 16; i++, n++) {
                long v = n;
                for (int j = 4; j < 12; j++) {
                    nonce[j] = (byte) v;
                    v >>>= 8;
                }
                enc.init(Cipher.ENCRYPT_MODE, k, new IvParameterSpec(nonce));
                enc.doFinal(plain, 0, MESSAGE, sealed, 0);
                dec.init(Cipher.DECRYPT_MODE, k, new IvParameterSpec(nonce));
                dec.doFinal(sealed, 0, sealed.length, opened, 0);
                bytes += MESSAGE;
            }
        }
        return bytes / ((System.nanoTime() - start) / 1e9) / 1e6;
    }

    /** The same work through two NoiseTransportCodecs in EmbeddedChannels, with pooled buffers. */
    static double codec(double seconds) throws Exception {
        TestIdentity a = TestIdentity.random();
        TestIdentity b = TestIdentity.random();
        SecureRandom random = new SecureRandom();
        NoiseHandshakeTest.Side sa = new NoiseHandshakeTest.Side();
        NoiseHandshakeTest.Side sb = new NoiseHandshakeTest.Side();
        EmbeddedChannel ca = new EmbeddedChannel();
        EmbeddedChannel cb = new EmbeddedChannel();
        ca.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        cb.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        ca.pipeline().addLast(new NoiseHandshakeHandler(true, NoiseStaticKey.generate(a, random), a, Optional.empty(), random, sa));
        cb.pipeline().addLast(new NoiseHandshakeHandler(false, NoiseStaticKey.generate(b, random), b, Optional.empty(), random, sb));
        Shuttle.run(ca, cb);
        // Count and drop what comes out of the receiving codec.
        long[] received = new long[1];
        cb.pipeline().remove("sink");
        cb.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received[0] += ((ByteBuf) msg).readableBytes();
                ((ByteBuf) msg).release();
            }
        });
        ByteBuf plain = PooledByteBufAllocator.DEFAULT.heapBuffer(4 * MESSAGE);
        plain.writeZero(4 * MESSAGE);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            for (int i = 0; i < 4; i++) {
                ca.writeOutbound(plain.retainedDuplicate());
                ByteBuf wire;
                while ((wire = ca.readOutbound()) != null) {
                    cb.writeInbound(wire);
                }
            }
        }
        double mbs = received[0] / ((System.nanoTime() - start) / 1e9) / 1e6;
        plain.release();
        ca.finishAndReleaseAll();
        cb.finishAndReleaseAll();
        return mbs;
    }
}
