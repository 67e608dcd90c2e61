package org.hyphae.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.hyphae.storage.StorageException;

/**
 * The files that referenced blocks are read from ({@link BlockFiles#putReference}). The store
 * keeps a hard link of its own to each such file, {@code <root>/.files/<id>}, made at the first
 * reference into it: a reference names that link, not the caller's path. So the blocks stay
 * readable when their user renames, moves or deletes the file (as a download's partial file is
 * renamed when it is complete), and the bytes are on disk once. Changing the file in place does
 * change the blocks: a read checks each range against its CRC32C, and a range that fails is
 * dropped. A link is removed, and its space freed, with its last reference; links that no
 * reference names (after a crash) are removed on open.
 *
 * <p>The references themselves are records in the store's {@link ReferenceLog}; each names a link
 * by its id ({@link Ref}). The linked file's data is fsync'd before a reference to it is written,
 * so no durable reference names bytes a crash could lose.
 */
final class FileReferences {

    /** The suffix of a reference file's name. */
    static final String SUFFIX = ".ref";
    static final String LINKS = ".files";

    private static final System.Logger LOG = System.getLogger(FileReferences.class.getName());

    /** A linked file and how many references name it. */
    private static final class Link {
        final String id;
        final Object fileKey;
        int references;

        Link(String id, Object fileKey) {
            this.id = id;
            this.fileKey = fileKey;
        }
    }

    /**
     * A reference: {@code "HYREF1"}, the link's id (length-prefixed UTF-8), the offset (8 bytes),
     * the length (4) and the CRC32C of the bytes (4), big-endian.
     */
    record Ref(String linkId, long offset, int length, int crc) {

        private static final byte[] MAGIC = "HYREF1".getBytes(StandardCharsets.US_ASCII);

        byte[] encode() {
            byte[] id = linkId.getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + id.length + 16);
            out.put(MAGIC).putShort((short) id.length).put(id).putLong(offset).putInt(length).putInt(crc);
            return out.array();
        }

        /** Decodes one; {@code IOException} says what is wrong with it. */
        static Ref decode(byte[] bytes) throws IOException {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (bytes.length < MAGIC.length + 2 + 16
                    || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new IOException("not a block reference (" + bytes.length + " bytes, without its magic)");
            }
            in.position(MAGIC.length);
            int idLength = in.getShort() & 0xffff;
            if (in.remaining() != idLength + 16) {
                throw new IOException("block reference of " + bytes.length + " bytes with a link id of " + idLength);
            }
            byte[] id = new byte[idLength];
            in.get(id);
            String linkId = new String(id, StandardCharsets.UTF_8);
            if (linkId.isEmpty() || linkId.contains("/") || linkId.startsWith(".")) {
                throw new IOException("block reference names the link '" + linkId + "'");
            }
            long offset = in.getLong();
            int length = in.getInt();
            if (offset < 0 || length < 0) {
                throw new IOException("block reference to offset " + offset + ", length " + length);
            }
            return new Ref(linkId, offset, length, in.getInt());
        }
    }

    private final Path links;
    private final Map<Object, Link> byFileKey = new HashMap<>();
    private final Map<String, Link> byId = new HashMap<>();

    /** Opens the link directory and registers the links in it, none of them referenced yet. */
    FileReferences(Path root) throws IOException {
        this.links = root.resolve(LINKS);
        Files.createDirectories(links);
        try (DirectoryStream<Path> existing = Files.newDirectoryStream(links)) {
            for (Path link : existing) {
                Object key = Files.readAttributes(link, BasicFileAttributes.class).fileKey();
                Link l = new Link(link.getFileName().toString(), key);
                byId.put(l.id, l);
                if (key != null) {
                    byFileKey.put(key, l);
                }
            }
        }
    }

    /** Counts a reference found on open; false if it names no link (the caller drops it). */
    synchronized boolean counted(Ref ref) {
        Link link = byId.get(ref.linkId());
        if (link == null) {
            return false;
        }
        link.references++;
        return true;
    }

    /** After the references are counted on open: removes the links that none names. */
    synchronized void removeUnreferenced() throws IOException {
        for (Link link : byId.values().toArray(Link[]::new)) {
            if (link.references == 0) {
                remove(link);
            }
        }
    }

    /**
     * Returns the id of the store's link to {@code file}, making the link if there is none, with
     * one more reference counted against it (which {@link #release} gives back if the reference is
     * not written). Empty if the file cannot be linked: another file system, or one without hard
     * links or file keys; the caller then stores a copy.
     */
    synchronized Optional<String> acquire(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        if (key == null) {
            return Optional.empty();
        }
        Link link = byFileKey.get(key);
        if (link == null || !Files.exists(links.resolve(link.id))) {
            String id = UUID.randomUUID().toString();
            try {
                Files.createLink(links.resolve(id), file);
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot link " + file + " into " + links + " (" + e
                        + "): its blocks are stored as copies");
                return Optional.empty();
            }
            // The link must be durable before a reference to it is.
            BlockFiles.syncDirectory(links);
            if (link != null) {
                byId.remove(link.id);
            }
            link = new Link(id, key);
            byFileKey.put(key, link);
            byId.put(id, link);
        }
        link.references++;
        return Optional.of(link.id);
    }

    /** One reference to the link fewer; the last one removes the link. */
    synchronized void release(String linkId) throws IOException {
        Link link = byId.get(linkId);
        if (link != null && --link.references <= 0) {
            remove(link);
        }
    }

    private void remove(Link link) throws IOException {
        byId.remove(link.id);
        if (link.fileKey != null) {
            byFileKey.remove(link.fileKey, link);
        }
        Files.deleteIfExists(links.resolve(link.id));
    }

    /** Forces the linked file's bytes to disk (fdatasync). */
    void syncData(String linkId) throws IOException {
        try (FileChannel channel = FileChannel.open(links.resolve(linkId), StandardOpenOption.READ)) {
            channel.force(false);
        }
    }

    /** Where a link is, for messages. */
    Path linkPath(String linkId) {
        return links.resolve(linkId);
    }

    /**
     * Reads a reference's range. Empty if the link is gone or the file is now shorter than the
     * range; the bytes are not checked here.
     */
    Optional<byte[]> read(Ref ref) throws StorageException {
        Path link = links.resolve(ref.linkId());
        try (FileChannel in = FileChannel.open(link, StandardOpenOption.READ)) {
            byte[] data = new byte[ref.length()];
            ByteBuffer buf = ByteBuffer.wrap(data);
            long position = ref.offset();
            while (buf.hasRemaining()) {
                int n = in.read(buf, position);
                if (n < 0) {
                    return Optional.empty();
                }
                position += n;
            }
            return Optional.of(data);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read the referenced file: " + e, link.toString(), e);
        }
    }

    /** The linked file's length now; -1 if it is gone. */
    long length(String linkId) throws StorageException {
        Path link = links.resolve(linkId);
        try {
            return Files.size(link);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new StorageException("cannot read the size of the referenced file: " + e, link.toString(), e);
        }
    }

    /** Links held now (for tests). */
    synchronized int links() {
        return byId.size();
    }
}
