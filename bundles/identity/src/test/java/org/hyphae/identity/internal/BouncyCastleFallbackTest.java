package org.hyphae.identity.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.hyphae.identity.internal.SignatureCases.Case;
import org.hyphae.identity.internal.SignatureCases.Outcome;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node without the native path, in a JVM of its own: surefire runs this class twice, once with
 * {@code -Dhyphae.ed25519.native=false} and once without JNA on the class path (see the pom), each
 * telling it by {@code hyphae.test.fallback.reason} what the one log line must give as the reason.
 * Verification is then BouncyCastle's alone and still right.
 */
class BouncyCastleFallbackTest {

    private static final List<String> LOGGED = new ArrayList<>();
    private static Logger logger;
    private static String reason;

    @BeforeAll
    static void watchTheLog() {
        reason = System.getProperty("hyphae.test.fallback.reason");
        Assumptions.assumeTrue(reason != null, "runs only in the pom's native-off and without-jna executions");
        // Before Ed25519KeyPair is first used, which is when the verifier is chosen and logged.
        logger = Logger.getLogger(SodiumEd25519.class.getName());
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (LOGGED) {
                    LOGGED.add(record.getLevel() + " " + new SimpleFormatter().formatMessage(record));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    @Test
    void logsOnceAtInfoWhatItUsesAndWhy() {
        String verifier = Ed25519KeyPair.verifier();
        Ed25519KeyPair.verifier();
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        Ed25519KeyPair.verify(pair.publicKeyProtobuf(), new byte[1], pair.sign(new byte[1]));
        assertFalse(Ed25519KeyPair.nativeVerifier());
        assertTrue(verifier.startsWith("BouncyCastle (" + reason), verifier);
        synchronized (LOGGED) {
            assertEquals(List.of(Level.INFO + " Ed25519 signatures verified by " + verifier), LOGGED);
        }
    }

    @Test
    void verifiesWithBouncyCastleAlone() {
        Ed25519KeyPair pair = Ed25519KeyPair.generate();
        byte[] data = "no native path".getBytes();
        byte[] signature = pair.sign(data);
        assertTrue(Ed25519KeyPair.verify(pair.publicKeyProtobuf(), data, signature));
        signature[3] ^= 1;
        assertFalse(Ed25519KeyPair.verify(pair.publicKeyProtobuf(), data, signature));

        List<String> wrong = new ArrayList<>();
        for (Case c : SignatureCases.build(25519, 500)) {
            Outcome outcome;
            try {
                outcome = Ed25519KeyPair.verify(c.publicKeyProtobuf(), c.message(), c.signature())
                        ? Outcome.VALID : Outcome.INVALID;
            } catch (IllegalArgumentException e) {
                outcome = Outcome.THROWS;
            }
            if (!c.allowed().contains(outcome)) {
                wrong.add(c.kind() + ": " + outcome + ", expected " + c.allowed());
            }
        }
        assertEquals(List.of(), wrong);
    }
}
