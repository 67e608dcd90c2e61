package org.hyphae.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.hyphae.identity.PeerId;
import org.hyphae.identity.internal.Ed25519KeyPair;
import org.hyphae.identity.internal.IdentityKeyFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity key file and signatures, against {@code @libp2p/crypto} and {@code @libp2p/peer-id}:
 * Hyphae's {@code identity.key} is the libp2p {@code PrivateKey} protobuf, so a key written by
 * either side is the same peer with the other, and signatures verify across.
 */
class IdentityInteropTest {

    /** Signature bits flipped in the tampering checks: in R, in S, and S's top bit (non-canonical S). */
    private static final int[] FLIPPED_BITS = {0, 8 * 20 + 3, 8 * 32, 8 * 50 + 6, 8 * 63 + 7};
    private static final int[] DATA_SIZES = {0, 1, 32, 1000, 70_000};

    private static JsProcess js;
    private final Random random = new Random(20260101);

    @BeforeAll
    static void startOracle() {
        js = JsProcess.start("multiformats-oracle.mjs");
    }

    @AfterAll
    static void stopOracle() {
        if (js != null) {
            js.close();
        }
    }

    @Test
    void keyFileCreatedByHyphaeIsReadByJs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("identity.key");
        Ed25519KeyPair hyphae = IdentityKeyFile.loadOrCreate(file);
        byte[] stored = Files.readAllBytes(file);

        JsonNode fromJs = js.call("peerIdFromPrivateKeyProto", "hex", stored);

        assertEquals("Ed25519", fromJs.get("keyType").asText());
        assertEquals(hyphae.peerId().toBase58(), fromJs.get("base58").asText(), "peer id of " + file);
        assertArrayEquals(hyphae.publicKeyProtobuf(), Hex.field(fromJs, "publicKeyProtoHex"), "public key protobuf");
        assertArrayEquals(hyphae.publicKey(), Hex.field(fromJs, "publicKeyRawHex"), "raw public key");
        // js re-encodes the key it read to exactly the bytes of the file: same format, no extras.
        assertArrayEquals(stored, Hex.field(fromJs, "privateKeyProtoHex"), "PrivateKey protobuf re-encoded by js");
        assertArrayEquals(stored, hyphae.privateKeyProtobuf());

        // And the file is Hyphae's identity on the next start too.
        assertEquals(hyphae.peerId(), IdentityKeyFile.loadOrCreate(file).peerId());
    }

    @Test
    void keyFileWrittenByJsIsLoadedByHyphae(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 5; i++) {
            JsonNode generated = js.call("generateKey");
            byte[] privateKeyProto = Hex.field(generated, "privateKeyProtoHex");
            Path file = dir.resolve("identity-" + i + ".key");
            Files.write(file, privateKeyProto);

            Ed25519KeyPair hyphae = IdentityKeyFile.loadOrCreate(file);

            assertEquals(generated.get("base58").asText(), hyphae.peerId().toBase58(), "peer id of js key " + i);
            assertEquals(PeerId.parse(generated.get("base58").asText()), hyphae.peerId());
            assertArrayEquals(Hex.field(generated, "publicKeyProtoHex"), hyphae.publicKeyProtobuf());
            assertArrayEquals(Hex.field(generated, "publicKeyRawHex"), hyphae.publicKey());
            assertArrayEquals(privateKeyProto, hyphae.privateKeyProtobuf(), "Hyphae re-encodes the js key unchanged");
            assertArrayEquals(privateKeyProto, Files.readAllBytes(file), "loading must not rewrite the file");
            assertEquals(hyphae.peerId(), Ed25519KeyPair.fromPrivateKeyProtobuf(privateKeyProto).peerId());
        }
    }

    @Test
    void hyphaeSignaturesVerifyInJsAndTamperingFailsOnBothSides() throws Exception {
        Ed25519KeyPair hyphae = Ed25519KeyPair.generate();
        byte[] publicKeyProto = hyphae.publicKeyProtobuf();
        for (int size : DATA_SIZES) {
            byte[] data = randomBytes(size);
            byte[] signature = hyphae.sign(data);
            assertEquals(64, signature.length);

            assertTrue(jsVerifies(publicKeyProto, data, signature), "js rejects Hyphae's signature over " + size + " bytes");
            assertTrue(Ed25519KeyPair.verify(publicKeyProto, data, signature));

            // Ed25519 is deterministic: js signing with the same key gives the same signature.
            JsonNode jsSigned = js.call("sign", "privateKeyProtoHex", hyphae.privateKeyProtobuf(), "dataHex", data);
            assertArrayEquals(signature, Hex.field(jsSigned, "signatureHex"), "signature over " + size + " bytes");

            assertTamperingFailsOnBothSides(publicKeyProto, data, signature);
        }
    }

    @Test
    void jsSignaturesVerifyInHyphaeAndTamperingFailsOnBothSides() throws Exception {
        JsonNode generated = js.call("generateKey");
        byte[] privateKeyProto = Hex.field(generated, "privateKeyProtoHex");
        byte[] publicKeyProto = Hex.field(generated, "publicKeyProtoHex");
        Ed25519KeyPair sameKeyInHyphae = Ed25519KeyPair.fromPrivateKeyProtobuf(privateKeyProto);
        for (int size : DATA_SIZES) {
            byte[] data = randomBytes(size);
            byte[] signature = Hex.field(js.call("sign", "privateKeyProtoHex", privateKeyProto, "dataHex", data),
                    "signatureHex");

            assertTrue(Ed25519KeyPair.verify(publicKeyProto, data, signature),
                    "Hyphae rejects js's signature over " + size + " bytes");
            assertTrue(jsVerifies(publicKeyProto, data, signature));
            assertArrayEquals(signature, sameKeyInHyphae.sign(data), "signature over " + size + " bytes");

            assertTamperingFailsOnBothSides(publicKeyProto, data, signature);
        }
    }

    @Test
    void signatureByAnotherKeyFailsOnBothSides() throws Exception {
        Ed25519KeyPair signer = Ed25519KeyPair.generate();
        byte[] otherKey = Hex.field(js.call("generateKey"), "publicKeyProtoHex");
        byte[] data = randomBytes(100);
        byte[] signature = signer.sign(data);
        assertFalse(Ed25519KeyPair.verify(otherKey, data, signature));
        assertFalse(jsVerifies(otherKey, data, signature));
    }

    private void assertTamperingFailsOnBothSides(byte[] publicKeyProto, byte[] data, byte[] signature) {
        for (int bit : FLIPPED_BITS) {
            byte[] tampered = signature.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(Ed25519KeyPair.verify(publicKeyProto, data, tampered), "Hyphae accepts signature bit " + bit
                    + " flipped, data " + data.length + " bytes");
            assertFalse(jsVerifies(publicKeyProto, data, tampered), "js accepts signature bit " + bit + " flipped");
        }
        if (data.length > 0) {
            byte[] tamperedData = data.clone();
            tamperedData[data.length / 2] ^= 0x10;
            assertFalse(Ed25519KeyPair.verify(publicKeyProto, tamperedData, signature), "Hyphae accepts changed data");
            assertFalse(jsVerifies(publicKeyProto, tamperedData, signature), "js accepts changed data");
        }
        byte[] longer = java.util.Arrays.copyOf(data, data.length + 1);
        assertFalse(Ed25519KeyPair.verify(publicKeyProto, longer, signature), "Hyphae accepts appended byte");
        assertFalse(jsVerifies(publicKeyProto, longer, signature), "js accepts appended byte");
    }

    private static boolean jsVerifies(byte[] publicKeyProto, byte[] data, byte[] signature) {
        return js.call("verify", "publicKeyProtoHex", publicKeyProto, "dataHex", data, "signatureHex", signature)
                .get("valid").asBoolean();
    }

    private byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }
}
