package org.hyphae.consensus.bft.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

import org.hyphae.ledger.Hash;

/**
 * The write-ahead log of what this validator signed: {@code (height, round, type, block id)} made
 * durable (fsync) before the signature leaves the node, so that after a crash it never signs a
 * different block for the same step, and it resumes its round and lock.
 *
 * <p>File format: fixed records of {@code u64 height, u32 round, u8 type, 32-byte block id, u32
 * CRC-32 of the preceding bytes}. A torn or corrupt last record (a crash in the middle of a write)
 * is cut off; since the vote was not sent before its record was whole, nothing signed is
 * forgotten. Damage before the last record fails the open: the validator then does not sign.
 */
final class VoteLog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VoteLog.class.getName());
    static final int RECORD = 8 + 4 + 1 + Hash.LENGTH + 4;

    /** What a signature was for. */
    record Key(long height, int round, int type) {
    }

    /** Records of decided heights the file may hold before {@link #prune} rewrites it. */
    static final int REWRITE_AFTER = 256;

    private final Path file;
    private final Map<Key, Hash> signed = new HashMap<>();
    /** Records in the file that {@link #prune} dropped from memory. */
    private int retiredOnDisk;
    private FileChannel channel;

    private VoteLog(Path file) {
        this.file = file;
    }

    /**
     * Opens (or creates) the log in a directory.
     *
     * @throws IOException if it cannot be read or created
     */
    static VoteLog open(Path dir) throws IOException {
        Files.createDirectories(dir);
        VoteLog log = new VoteLog(dir.resolve("votes.wal"));
        log.load();
        return log;
    }

    private void load() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        ByteBuffer buf = ByteBuffer.allocate(RECORD);
        long pos = 0;
        while (pos + RECORD <= size) {
            buf.clear();
            while (buf.hasRemaining() && channel.read(buf, pos + buf.position()) > 0) {
                // read the whole record
            }
            buf.flip();
            if (buf.remaining() < RECORD || !crcMatches(buf)) {
                break;
            }
            long h = buf.getLong();
            int r = buf.getInt();
            int type = buf.get() & 0xff;
            byte[] id = new byte[Hash.LENGTH];
            buf.get(id);
            signed.put(new Key(h, r, type), Hash.of(id));
            pos += RECORD;
        }
        if (size - pos > RECORD) {
            throw new IOException("bft: vote log " + file + " is corrupt at byte " + pos + " of " + size
                    + " with whole records after it; refusing to sign with a log that may have lost votes"
                    + " (move the file away to start afresh, at the risk of signing twice)");
        }
        if (pos != size) {
            LOG.log(System.Logger.Level.WARNING, "bft: vote log " + file + " has a torn or corrupt tail at byte " + pos + " of " + size
                    + "; cutting it off (the vote it held was never sent)");
            channel.truncate(pos);
            channel.force(true);
        }
        channel.position(pos);
    }

    private static boolean crcMatches(ByteBuffer record) {
        CRC32 crc = new CRC32();
        crc.update(record.array(), 0, RECORD - 4);
        return (int) crc.getValue() == record.getInt(RECORD - 4);
    }

    private static byte[] encode(Key k, Hash id) {
        ByteBuffer b = ByteBuffer.allocate(RECORD).putLong(k.height()).putInt(k.round()).put((byte) k.type()).put(id.bytes());
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, RECORD - 4);
        return b.putInt((int) crc.getValue()).array();
    }

    /** What was signed for a step, if anything. */
    synchronized Optional<Hash> signed(long height, int round, int type) {
        return Optional.ofNullable(signed.get(new Key(height, round, type)));
    }

    /**
     * Makes a signature durable before it is made.
     *
     * @return true if it may be signed (new, or the same block as before); false if another block
     *     was signed for the same step
     * @throws UncheckedIOException if the log cannot be written; nothing may be signed then
     */
    synchronized boolean record(long height, int round, int type, Hash blockId) {
        Key k = new Key(height, round, type);
        Hash before = signed.get(k);
        if (before != null) {
            return before.equals(blockId);
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(encode(k, blockId));
            while (b.hasRemaining()) {
                channel.write(b);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("bft: cannot write the vote log " + file, e);
        }
        signed.put(k, blockId);
        return true;
    }

    /** The highest round with a signature at a height, or -1. */
    synchronized int lastRound(long height) {
        int max = -1;
        for (Key k : signed.keySet()) {
            if (k.height() == height) {
                max = Math.max(max, k.round());
            }
        }
        return max;
    }

    /** The latest non-nil precommit at a height: the lock to resume with. */
    synchronized Optional<Map.Entry<Integer, Hash>> lastPrecommit(long height) {
        Map.Entry<Integer, Hash> best = null;
        for (Map.Entry<Key, Hash> e : signed.entrySet()) {
            Key k = e.getKey();
            if (k.height() == height && k.type() == BftMessage.PRECOMMIT && !e.getValue().equals(Hash.ZERO)
                    && (best == null || k.round() > best.getKey())) {
                best = Map.entry(k.round(), e.getValue());
            }
        }
        return Optional.ofNullable(best);
    }

    synchronized int size() {
        return signed.size();
    }

    /**
     * Forgets the records of heights below one (they are decided). The file is rewritten, atomically,
     * once it holds {@value #REWRITE_AFTER} such records: rewriting at every height cost a second
     * fsync and a rename per height on the consensus thread. Until then a reopened log holds them
     * again, which is harmless (those heights are final).
     */
    synchronized void prune(long belowHeight) {
        int before = signed.size();
        signed.keySet().removeIf(k -> k.height() < belowHeight);
        retiredOnDisk += before - signed.size();
        if (retiredOnDisk < REWRITE_AFTER) {
            return;
        }
        retiredOnDisk = 0;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Map.Entry<Key, Hash> e : signed.entrySet()) {
                ByteBuffer b = ByteBuffer.wrap(encode(e.getKey(), e.getValue()));
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            out.force(true);
            channel.close();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel.position(channel.size());
        } catch (IOException e) {
            throw new UncheckedIOException("bft: cannot rewrite the vote log " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "bft: closing the vote log " + file + " failed: " + e.getMessage());
        }
    }
}
