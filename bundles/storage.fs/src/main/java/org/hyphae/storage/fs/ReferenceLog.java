package org.hyphae.storage.fs;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

import org.hyphae.multiformats.Cid;

/**
 * Which blocks are kept as references, and where ({@link FileReferences.Ref}): one append-only log,
 * {@code <root>/.references.log}, read into memory on open. A reference was a file of its own
 * beside the block's: created, synced and renamed per 256 KiB leaf, then its directory synced, three
 * fsyncs per leaf with the referenced bytes', which held a download on a disk to 78 MB/s with the
 * cores idle (243 MB/s with this log, batched). Here a batch of references costs one write and
 * one fsync ({@link #append}).
 *
 * <p>A record is {@code type (1: put, 2: drop), CID (length-prefixed), reference (length-prefixed,
 * empty for a drop), CRC32C} of what precedes it in the record. On open the records are applied in
 * order; the log ends at the first record that is cut short or fails its CRC. Only an append that
 * never returned (a crash during it) leaves one at the end; a damaged record in the middle loses
 * the references after it, which is logged: those blocks are absent then, never wrong. When most
 * records are dead (replaced or dropped), the log is rewritten from the live ones (temporary file,
 * fsync, rename). In memory a reference takes roughly 250 bytes: a million of them (256 GiB of
 * downloaded 256 KiB leaves) roughly 250 MB of heap.
 */
final class ReferenceLog {

    static final String NAME = ".references.log";
    private static final byte PUT = 1;
    private static final byte DROP = 2;
    /** Rewritten when dead records outnumber live ones by this much (and twice over). */
    private static final long COMPACT_SLACK = 10_000;

    private static final System.Logger LOG = System.getLogger(ReferenceLog.class.getName());

    /** A change to append: a reference put, or ({@code ref == null}) dropped. */
    record Change(Cid cid, FileReferences.Ref ref) {
    }

    private final Path file;
    /** Read without a lock (a read need not wait for an fsync); changed only by appends, under this. */
    private final Map<Cid, FileReferences.Ref> refs = new ConcurrentHashMap<>();
    private long records;

    private final long compactSlack;

    /** Reads the log of the store at {@code root} (creating none until the first append). */
    ReferenceLog(Path root) throws IOException {
        this(root, COMPACT_SLACK);
    }

    /** As {@link #ReferenceLog(Path)}, rewritten with {@code compactSlack} dead records more than live (tests). */
    ReferenceLog(Path root, long compactSlack) throws IOException {
        this.file = root.resolve(NAME);
        this.compactSlack = compactSlack;
        replay();
    }

    private void replay() throws IOException {
        long good = 0;
        String damage = null;
        Map<String, String> linkIds = new HashMap<>();
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return;
        }
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            while (good < size) {
                try {
                    CRC32C crc = new CRC32C();
                    int type = in.readUnsignedByte();
                    byte[] cid = readField(in, crc, (byte) type);
                    byte[] ref = readField(in, crc, null);
                    int expected = in.readInt();
                    if ((int) crc.getValue() != expected) {
                        damage = "its CRC32C does not match";
                        break;
                    }
                    Cid c = Cid.decode(cid);
                    if (type == PUT) {
                        FileReferences.Ref r = FileReferences.Ref.decode(ref);
                        String linkId = linkIds.computeIfAbsent(r.linkId(), id -> id); // one string per link
                        refs.put(c, new FileReferences.Ref(linkId, r.offset(), r.length(), r.crc()));
                    } else if (type == DROP && ref.length == 0) {
                        refs.remove(c);
                    } else {
                        damage = "it is of unknown type " + type;
                        break;
                    }
                    records++;
                    good += 1 + 2 + cid.length + 2 + ref.length + 4;
                } catch (EOFException e) {
                    damage = "it is cut short";
                    break;
                } catch (IOException | IllegalArgumentException e) {
                    damage = "it does not decode (" + e.getMessage() + ")";
                    break;
                }
            }
        }
        if (damage != null) {
            long lost = size - good;
            LOG.log(System.Logger.Level.WARNING, file + ": the record at byte " + good + " is not whole (" + damage
                    + "); the log is cut there, " + lost + " byte(s) dropped"
                    + " (a crash during an append leaves this at the end; the blocks of records after it are absent)");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(good);
                ch.force(true);
            }
        }
    }

    /** Reads a length-prefixed field into the record's CRC ({@code type} first, if given). */
    private static byte[] readField(DataInputStream in, CRC32C crc, Byte type) throws IOException {
        if (type != null) {
            crc.update(type);
        }
        int length = in.readUnsignedShort();
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        crc.update(length >>> 8);
        crc.update(length);
        crc.update(bytes);
        return bytes;
    }

    Optional<FileReferences.Ref> get(Cid cid) {
        return Optional.ofNullable(refs.get(cid));
    }

    boolean contains(Cid cid) {
        return refs.containsKey(cid);
    }

    /** The references now (a copy). */
    Map<Cid, FileReferences.Ref> all() {
        return new HashMap<>(refs);
    }

    /**
     * Appends the changes with one fsync and applies them; durable when this returns. What
     * replaced or dropped a reference is returned, for the caller to release its link only now.
     *
     * @return the references the changes replaced or dropped, by CID
     */
    synchronized Map<Cid, FileReferences.Ref> append(List<Change> changes) throws IOException {
        if (changes.isEmpty()) {
            return Map.of();
        }
        List<ByteBuffer> out = new ArrayList<>(changes.size());
        for (Change c : changes) {
            out.add(encode(c));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer[] bufs = out.toArray(ByteBuffer[]::new);
            long remaining = 0;
            for (ByteBuffer b : bufs) {
                remaining += b.remaining();
            }
            while (remaining > 0) {
                remaining -= ch.write(bufs);
            }
            ch.force(false);
        }
        Map<Cid, FileReferences.Ref> previous = new HashMap<>();
        for (Change c : changes) {
            FileReferences.Ref before = c.ref() == null ? refs.remove(c.cid()) : refs.put(c.cid(), c.ref());
            if (before != null && !previous.containsKey(c.cid())) {
                previous.put(c.cid(), before);
            }
            records++;
        }
        if (records > 2 * refs.size() + compactSlack) {
            try {
                compact();
            } catch (IOException e) {
                // The changes are durable in the log as it is; the next append tries again.
                LOG.log(System.Logger.Level.WARNING, "cannot rewrite " + file + " without its dead records: " + e);
            }
        }
        return previous;
    }

    private static ByteBuffer encode(Change c) {
        byte[] cid = c.cid().bytes();
        byte[] ref = c.ref() == null ? new byte[0] : c.ref().encode();
        ByteBuffer b = ByteBuffer.allocate(1 + 2 + cid.length + 2 + ref.length + 4);
        b.put(c.ref() == null ? DROP : PUT).putShort((short) cid.length).put(cid).putShort((short) ref.length).put(ref);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** Rewrites the log from the live references: temporary file, fsync, rename, fsync of the directory. */
    private void compact() throws IOException {
        Path tmp = file.resolveSibling(NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Map.Entry<Cid, FileReferences.Ref> e : refs.entrySet()) {
                ByteBuffer b = encode(new Change(e.getKey(), e.getValue()));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        BlockFiles.syncDirectory(file.getParent());
        records = refs.size();
    }

    /** Records in the log now, live and dead (for tests). */
    synchronized long records() {
        return records;
    }
}
