package org.hyphae.consensus.bft.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import org.hyphae.identity.PeerId;

/**
 * Evidence of double signing this node has seen (two votes or two proposals of one step), kept
 * on disk: records of {@code u32 length, evidence message, u32 CRC-32}; a torn tail is cut off on
 * open. One piece of evidence per validator and step.
 */
final class EvidenceLog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EvidenceLog.class.getName());

    /** Identifies the offence: who, and at which step. */
    record Key(PeerId validator, long height, int round, int type) {
    }

    private final Path file;
    private final Map<Key, BftMessage.Offence> kept = new LinkedHashMap<>();
    private final FileChannel channel;

    private EvidenceLog(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    static EvidenceLog open(Path dir) throws IOException {
        Files.createDirectories(dir);
        EvidenceLog log = new EvidenceLog(dir.resolve("evidence.log"));
        log.load();
        return log;
    }

    private void load() throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(all);
        int good = 0;
        while (in.remaining() >= 4) {
            int n = in.getInt();
            if (n <= 0 || n > 4096 || in.remaining() < n + 4) {
                break;
            }
            byte[] body = new byte[n];
            in.get(body);
            int crc = in.getInt();
            if (crc != crc(body)) {
                break;
            }
            try {
                if (BftMessage.decode(body) instanceof BftMessage.Offence e) {
                    kept.putIfAbsent(key(e), e);
                }
            } catch (IllegalArgumentException e) {
                break;
            }
            good = in.position();
        }
        if (good != all.length) {
            LOG.log(System.Logger.Level.WARNING, "bft: evidence log " + file + " has a torn or corrupt tail at byte " + good + "; cutting it off");
            channel.truncate(good);
        }
        channel.position(good);
    }

    private static int crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }

    static Key key(BftMessage.Offence e) {
        return new Key(e.offender(), e.height(), e.round(), e.type());
    }

    /** Keeps evidence (already verified); returns false if this offence was known. */
    synchronized boolean add(BftMessage.Offence evidence) {
        BftMessage.Offence e = evidence.canonical();
        Key k = key(e);
        if (kept.containsKey(k)) {
            return false;
        }
        byte[] body = e.encode();
        ByteBuffer b = ByteBuffer.allocate(4 + body.length + 4).putInt(body.length).put(body).putInt(crc(body));
        b.flip();
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
            channel.force(false);
        } catch (IOException ex) {
            throw new UncheckedIOException("bft: cannot write the evidence log " + file, ex);
        }
        kept.put(k, e);
        return true;
    }

    synchronized List<BftMessage.Offence> all() {
        return new ArrayList<>(kept.values());
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "bft: closing the evidence log " + file + " failed: " + e.getMessage());
        }
    }
}
