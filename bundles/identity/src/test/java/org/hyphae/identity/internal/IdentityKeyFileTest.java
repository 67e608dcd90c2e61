package org.hyphae.identity.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.hyphae.identity.PeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityKeyFileTest {

    @TempDir
    Path dir;

    @Test
    void createsMissingFileOwnerOnlyAndLoadsItAgain() throws Exception {
        Path file = dir.resolve("sub/identity.key");
        Ed25519KeyPair created = IdentityKeyFile.loadOrCreate(file);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(68, Files.size(file));
        assertEquals(created.peerId(), IdentityKeyFile.loadOrCreate(file).peerId());
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void corruptFileIsReportedWithItsPathAndNeverOverwritten() throws Exception {
        Path file = dir.resolve("identity.key");
        IdentityKeyFile.loadOrCreate(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[30] ^= 0x01;
        Files.write(file, bytes);

        assertRejected(file, bytes, "corrupt");
    }

    @Test
    void truncatedFileIsRejected() throws Exception {
        Path file = dir.resolve("identity.key");
        IdentityKeyFile.loadOrCreate(file);
        byte[] truncated = java.util.Arrays.copyOf(Files.readAllBytes(file), 50);
        Files.write(file, truncated);

        assertRejected(file, truncated, "truncated");
    }

    @Test
    void emptyFileIsRejected() throws Exception {
        Path file = dir.resolve("identity.key");
        Files.write(file, new byte[0]);
        assertRejected(file, new byte[0], "empty");
    }

    @Test
    void foreignFilesAreRejected() throws Exception {
        Path pem = dir.resolve("pem.key");
        byte[] pemBytes = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n".getBytes();
        Files.write(pem, pemBytes);
        assertRejected(pem, pemBytes, "not a libp2p PrivateKey");

        Path rsa = dir.resolve("rsa.key");
        byte[] rsaBytes = new byte[] {0x08, 0x00, 0x12, (byte) 0x80, 0x01, 1, 2, 3};
        Files.write(rsa, rsaBytes);
        assertRejected(rsa, rsaBytes, "RSA");

        Path big = dir.resolve("big.key");
        byte[] bigBytes = new byte[100_000];
        Files.write(big, bigBytes);
        assertRejected(big, bigBytes, "100000 bytes");

        Path directory = Files.createDirectory(dir.resolve("dir.key"));
        IdentityKeyException e = assertThrows(IdentityKeyException.class, () -> IdentityKeyFile.loadOrCreate(directory));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    @Test
    void readsKeysWrittenByOtherLibp2pImplementations() throws Exception {
        // The peer-ids spec vector, as js-libp2p's privateKeyToProtobuf and kubo write it.
        Path file = dir.resolve("identity.key");
        Files.write(file, java.util.HexFormat.of().parseHex(
                "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
                        + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));
        PeerId expected = PeerId.fromPublicKeyProtobuf(java.util.HexFormat.of().parseHex(
                "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));
        assertEquals(expected, IdentityKeyFile.loadOrCreate(file).peerId());
    }

    @Test
    void concurrentFirstStartsAgreeOnOneKey() throws Exception {
        Path file = dir.resolve("identity.key");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<PeerId>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Callable<PeerId> start = () -> IdentityKeyFile.loadOrCreate(file).peerId();
                results.add(pool.submit(start));
            }
            PeerId first = results.get(0).get();
            for (Future<PeerId> result : results) {
                assertEquals(first, result.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(IdentityKeyFile.loadOrCreate(file).peerId(), Ed25519KeyPair
                .fromPrivateKeyProtobuf(Files.readAllBytes(file)).peerId());
    }

    private static void assertRejected(Path file, byte[] contents, String reason) throws Exception {
        IdentityKeyException e = assertThrows(IdentityKeyException.class, () -> IdentityKeyFile.loadOrCreate(file));
        assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), () -> "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(reason), () -> "says " + reason + ": " + e.getMessage());
        assertArrayEquals(contents, Files.readAllBytes(file), "the file is left untouched");
    }
}
