package org.hyphae.tests.process;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.hyphae.identity.PeerId;
import org.hyphae.tests.support.NodeProcess;

/** What the ledger's process tests do to nodes: keys, shell lines, addresses, the head they print. */
final class LedgerNodes {

    private LedgerNodes() {
    }

    /** Writes an identity.key (libp2p PrivateKey protobuf: type Ed25519, seed || public key). */
    static PeerId writeKey(Path data, int seedByte) throws IOException {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) seedByte);
        byte[] pub = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        byte[] file = new byte[4 + 64];
        file[0] = 0x08;
        file[1] = 0x01;
        file[2] = 0x12;
        file[3] = 0x40;
        System.arraycopy(seed, 0, file, 4, 32);
        System.arraycopy(pub, 0, file, 36, 32);
        Files.createDirectories(data);
        Path key = data.resolve("identity.key");
        Files.write(key, file);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return PeerId.fromEd25519PublicKey(pub);
    }

    static void send(NodeProcess node, String line) throws IOException {
        Writer w = node.stdin();
        w.write(line + "\n");
        w.flush();
    }

    /** The node's TCP address without /p2p (it also prints its WebSocket one, .../ws/p2p/...). */
    static String address(NodeProcess node) throws InterruptedException {
        String line = node.awaitLine(l -> l.contains("Swarm listening on /ip4/127.0.0.1/tcp/") && !l.contains("/ws"), 900);
        String printed = line.substring(line.indexOf("/ip4/")).trim().split("\\s+")[0];
        int p2p = printed.indexOf("/p2p/");
        return p2p < 0 ? printed : printed.substring(0, p2p);
    }

    /** The latest head height the node printed for hyphae:chain, or -1. */
    static long height(NodeProcess node) {
        String marker = "head       #";
        String[] lines = node.output().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            int at = lines[i].indexOf(marker);
            if (at >= 0) {
                return Long.parseLong(lines[i].substring(at + marker.length()).split(" ")[0]);
            }
        }
        return -1;
    }

    static String query(NodeProcess node, String command, String expectContains, long timeoutSeconds) throws Exception {
        return node.command(command, l -> l.contains(expectContains), timeoutSeconds);
    }

    /** The balance hyphae:balance prints for an account. */
    static long balance(NodeProcess node, PeerId account) throws Exception {
        String b = query(node, "hyphae:balance " + account, account + ": balance ", 60);
        return Long.parseLong(b.substring(b.indexOf(": balance ") + ": balance ".length()).split(",")[0]);
    }

    /** The nonce hyphae:balance prints for an account. */
    static long nonce(NodeProcess node, PeerId account) throws Exception {
        String b = query(node, "hyphae:balance " + account, account + ": balance ", 60);
        return Long.parseLong(b.substring(b.indexOf(", nonce ") + ", nonce ".length()).split(" ")[0]);
    }
}
