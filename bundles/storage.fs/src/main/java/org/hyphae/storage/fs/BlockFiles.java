package org.hyphae.storage.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multibase;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.CorruptDataException;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;
import org.hyphae.storage.VerifiedBlock;
import org.hyphae.storage.base.BlockDigest;
import org.hyphae.storage.base.VerifyingInputStream;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Blocks as files under a root directory: {@code <root>/<shard>/<name>} where {@code name} is the
 * CID's binary form in base32 (so CIDv0 and CIDv1 never collide) and {@code shard} is the two
 * characters before its last one (go-ipfs flatfs's {@code next-to-last/2}), which spreads blocks
 * over up to 1024 directories.
 *
 * <p>A put writes to {@code <root>/.tmp}, fsyncs the file, renames it into place and fsyncs the
 * shard directory, so after a crash a block is either whole under its name or absent; leftovers in
 * {@code .tmp} were never acknowledged and are removed on open. An existing block file is never
 * rewritten: a damaged one is reported by {@link #get} with its path, for an operator to look at.
 *
 * <p><b>Checked on read with a CRC32C.</b> Every put has checked the bytes against the CID's hash
 * (or been given a {@link VerifiedBlock}). It also stores their CRC32C in the file's extended
 * attribute {@value #CHECKSUM_ATTRIBUTE} (as {@code user.hyphae.crc32c}), written before the fsync
 * and the rename. {@link #get} then checks what it reads against that checksum rather than
 * hashing it again ({@link #open} still hashes). This finds what a read check is for: a flipped
 * bit, a truncated or overwritten file. It costs about a tenth of SHA-256, which took a quarter of
 * a seeding node's CPU. A file without the attribute is checked with the CID's hash, as before:
 * files from before this change, a copy that dropped the attribute, and file systems without user
 * extended attributes (probed on open). On a checksum mismatch the bytes are hashed too before
 * they are called corrupt, so a damaged attribute alone loses no block. What a CRC cannot catch
 * is a deliberate rewrite that also rewrites the attribute. Whoever can do that can write any
 * file of the node's. A peer that is sent such a block checks it against the CID anyway.
 *
 * <p><b>References instead of copies.</b> {@link #putReference} keeps a block as a reference into a
 * file the node has written (a download's output) when that file is on the same file system: see
 * {@link FileReferences}. A download then writes its bytes once, not twice. The references are
 * records of one log ({@link ReferenceLog}), kept in memory, so a batch of them
 * ({@link #putReferences}) costs one sync of the file and one of the log. A reference is read
 * and checked like a block file, against a CRC32C kept in it (then the CID's hash); a range that
 * no longer holds the block's bytes makes the block absent, and the reference is dropped.
 *
 * <p>Immediate, so that an unusable directory (or a foreign file in it) is reported at start-up with
 * its path, not at the first read.
 */
@Component(service = BlockStore.class, configurationPid = BlockFiles.PID, immediate = true,
        property = BlockStore.KIND_PROPERTY + "=" + BlockFiles.KIND)
@Designate(ocd = BlockFiles.Config.class)
public final class BlockFiles implements BlockStore {

    static final String KIND = "fs";
    static final String PID = "org.hyphae.storage.fs.blocks";
    /** Framework property with the node's data directory; {@code ./data} if unset. */
    static final String DATA_DIR_PROPERTY = "hyphae.data";

    /** Where the block files are. */
    @ObjectClassDefinition(name = "Hyphae file-system block store",
            description = "Blocks as fsync'd files sharded by CID.")
    public @interface Config {
        /** The directory; empty means blocks/ in the node's data directory. */
        @AttributeDefinition(name = "Directory",
                description = "Directory of the block files; empty means blocks/ in the node's data directory.")
        String directory() default "";
    }

    private static final System.Logger LOG = System.getLogger(BlockFiles.class.getName());
    /** The extended attribute (in the {@code user} namespace) that holds a block file's CRC32C. */
    static final String CHECKSUM_ATTRIBUTE = "hyphae.crc32c";
    private static final String TEMP = ".tmp";
    private static final int BUFFER = 256 * 1024;

    private final Path root;
    private final Path temp;
    // Striped locks make "exists? then rename and count" atomic per CID without one global lock.
    private final Object[] stripes = new Object[256];
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    /**
     * Temporary file names: a random prefix per instance and a counter. A random UUID per block read
     * the kernel's random source under a lock on every put; CREATE_NEW still refuses any clash.
     */
    private final String tempPrefix = UUID.randomUUID() + "-";
    private final AtomicLong tempCounter = new AtomicLong();
    /** Whether the file system keeps user extended attributes here: probed on open. */
    private final boolean checksums;
    private final FileReferences references;
    /** Which blocks are kept as references: see {@link ReferenceLog}. */
    private final ReferenceLog log;
    /** Orders reference changes with each other and with the check for a copy they make. */
    private final Object referenceLock = new Object();

    /**
     * Opens the directory named by the configuration, under the framework property
     * {@code hyphae.data}.
     *
     * @param context the bundle's context
     * @param config the configuration
     * @throws StorageException if it cannot be opened; SCR logs it and the service stays away
     */
    @Activate
    public BlockFiles(BundleContext context, Config config) throws StorageException {
        this(config.directory().isBlank() ? dataDirectory(context).resolve("blocks") : Path.of(config.directory()));
    }

    static Path dataDirectory(BundleContext context) {
        String data = context.getProperty(DATA_DIR_PROPERTY);
        return Path.of(data == null || data.isBlank() ? "data" : data);
    }

    /**
     * Opens (creating if needed) a block directory, removes unacknowledged temporary files, and
     * counts what is there.
     *
     * @param root the directory
     * @throws StorageException if it cannot be created or read, or holds a foreign file
     */
    public BlockFiles(Path root) throws StorageException {
        this(root, true);
    }

    /**
     * As {@link #BlockFiles(Path)}; with {@code checksums} false, as on a file system without user
     * extended attributes: no checksum is written, and every read is checked against its CID.
     */
    BlockFiles(Path root, boolean checksums) throws StorageException {
        this.root = root.toAbsolutePath();
        this.temp = this.root.resolve(TEMP);
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
        try {
            Files.createDirectories(temp);
            createShards();
            references = new FileReferences(this.root);
            log = new ReferenceLog(this.root);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(temp)) {
                for (Path leftover : leftovers) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot open block directory: " + e, this.root.toString(), e);
        }
        this.checksums = checksums && probeChecksums();
        List<Path> legacy = new ArrayList<>();
        try (Cursor<Path> files = files()) {
            while (files.hasNext()) {
                Path file = files.next();
                if (isLegacyReference(file)) {
                    legacy.add(file);
                } else {
                    count.incrementAndGet();
                    bytes.addAndGet(Files.size(file));
                }
            }
            importLegacyReferences(legacy);
            countReferences();
            references.removeUnreferenced();
        } catch (UncheckedIOException e) {
            throw (StorageException) e.getCause();
        } catch (IOException e) {
            throw new StorageException("cannot count blocks: " + e, this.root.toString(), e);
        }
    }

    /** A reference file of the layout before {@link ReferenceLog}: {@code <shard>/<name>.ref}. */
    private static boolean isLegacyReference(Path file) {
        return file.getFileName().toString().endsWith(FileReferences.SUFFIX);
    }

    /**
     * Moves reference files of the earlier layout into the log (one append), then deletes them. A
     * malformed one is left as it is, with a warning.
     */
    private void importLegacyReferences(List<Path> refFiles) throws IOException {
        List<ReferenceLog.Change> changes = new ArrayList<>();
        List<Path> imported = new ArrayList<>();
        for (Path refFile : refFiles) {
            try {
                changes.add(new ReferenceLog.Change(cidOf(refFile), FileReferences.Ref.decode(Files.readAllBytes(refFile))));
                imported.add(refFile);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "block reference " + refFile + " is unreadable (" + e.getMessage()
                        + "); left as it is");
            }
        }
        log.append(changes);
        for (Path refFile : imported) {
            Files.delete(refFile);
        }
        if (!imported.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "moved " + imported.size() + " block reference file(s) under " + root
                    + " into " + ReferenceLog.NAME);
        }
    }

    /**
     * Counts the references found on open. One whose block file exists too (a crash between storing
     * the copy and dropping the reference) or whose link is gone is dropped.
     */
    private void countReferences() throws IOException {
        List<ReferenceLog.Change> drops = new ArrayList<>();
        for (Map.Entry<Cid, FileReferences.Ref> e : log.all().entrySet()) {
            if (Files.exists(pathOf(e.getKey())) || !references.counted(e.getValue())) {
                drops.add(new ReferenceLog.Change(e.getKey(), null));
            } else {
                count.incrementAndGet();
                bytes.addAndGet(e.getValue().length());
            }
        }
        log.append(drops);
    }

    /**
     * Creates all 1024 shard directories up front (once), so that a put never pays for a mkdir and
     * an fsync of the root on top of its own: on a fresh store that doubled the cost of most puts.
     */
    private void createShards() throws IOException {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        boolean created = false;
        for (char a : alphabet.toCharArray()) {
            for (char b : alphabet.toCharArray()) {
                Path shard = root.resolve(new String(new char[] {a, b}));
                if (!Files.isDirectory(shard)) {
                    Files.createDirectory(shard);
                    created = true;
                }
            }
        }
        if (created) {
            syncDirectory(root);
        }
    }

    /**
     * Returns the directory.
     *
     * @return the absolute root
     */
    public Path root() {
        return root;
    }

    /**
     * Returns the file a block is kept in.
     *
     * @param cid the block's CID
     * @return its path (which may not exist)
     */
    public Path pathOf(Cid cid) {
        String name = Multibase.BASE32.encode(cid.bytes());
        return root.resolve(name.substring(name.length() - 3, name.length() - 1)).resolve(name);
    }

    /**
     * Whether the block is kept as a reference into a file ({@link #putReference}), not as a copy.
     *
     * @param cid the block's CID
     * @return true if a reference names it and no block file exists
     */
    public boolean isKeptAsReference(Cid cid) {
        return log.contains(cid) && !Files.exists(pathOf(cid));
    }

    /** Where a reference file of the earlier layout was kept. */
    private Path legacyReferencePath(Cid cid) {
        Path file = pathOf(cid);
        return file.resolveSibling(file.getFileName() + FileReferences.SUFFIX);
    }

    private Object stripe(Cid cid) {
        return stripes[cid.hashCode() & (stripes.length - 1)];
    }

    @Override
    public boolean has(Cid cid) {
        return log.contains(cid) || Files.exists(pathOf(cid));
    }

    @Override
    public OptionalLong size(Cid cid) throws StorageException {
        Path file = pathOf(cid);
        // A fetch asks about every block it does not have yet: answer "absent" without the cost of an
        // exception (File.length is 0 for a missing file, and an empty block is a file too).
        long length = file.toFile().length();
        if (length > 0) {
            return OptionalLong.of(length);
        }
        if (!Files.exists(file)) {
            return referencedSize(cid);
        }
        try {
            return OptionalLong.of(Files.size(file));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read the size of block " + cid + ": " + e, file.toString(), e);
        }
    }

    @Override
    public Optional<byte[]> get(Cid cid) throws StorageException {
        Path file = pathOf(cid);
        if (!Files.exists(file)) {
            return getReferenced(cid); // as size(): the common miss without an exception
        }
        byte[] data;
        OptionalInt checksum;
        try {
            data = Files.readAllBytes(file);
            checksum = readChecksum(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read block " + cid + ": " + e, file.toString(), e);
        }
        if (checksum.isPresent() && checksum.getAsInt() == crc32c(data)) {
            return Optional.of(data);
        }
        if (!BlockDigest.matches(cid, data)) {
            throw new CorruptDataException(cid, "block file for " + cid + " is corrupt, truncated or foreign: its "
                    + data.length + " byte(s) do not hash to the CID"
                    + (checksum.isPresent() ? " (nor match the CRC32C stored when they were verified)" : "")
                    + "; it is left as it is", file.toString(), null);
        }
        // The bytes are the block's: only the checksum attribute was damaged, or never written.
        return Optional.of(data);
    }

    /**
     * The bytes of a block kept as a reference, checked against the reference's CRC32C (then the
     * CID's hash). A range that holds other bytes now is not the block's any more: the reference is
     * dropped and the block is absent, to be fetched again when it is needed.
     */
    private Optional<byte[]> getReferenced(Cid cid) throws StorageException {
        Optional<FileReferences.Ref> found = log.get(cid);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        FileReferences.Ref ref = found.get();
        Optional<byte[]> data = references.read(ref);
        if (data.isPresent() && (ref.crc() == crc32c(data.get()) || BlockDigest.matches(cid, data.get()))) {
            return data;
        }
        LOG.log(System.Logger.Level.WARNING, "block " + cid + ": the file it was referenced in ("
                + references.linkPath(ref.linkId()) + ", " + ref.length() + " bytes at " + ref.offset()
                + ") no longer holds its bytes, " + (data.isEmpty() ? "being shorter or gone" : "having been changed")
                + "; the reference is dropped and the block is absent");
        deleteReference(cid, ref); // unless replaced or dropped meanwhile
        return Optional.empty();
    }

    /**
     * A referenced block's size. A fetch asks this of each block it might have: a file cut short
     * since (a partial download another one overwrote, say) drops the references past its end here,
     * at the cost of one stat, rather than when the export reads them.
     */
    private OptionalLong referencedSize(Cid cid) throws StorageException {
        Optional<FileReferences.Ref> found = log.get(cid);
        if (found.isEmpty()) {
            return OptionalLong.empty();
        }
        FileReferences.Ref ref = found.get();
        if (references.length(ref.linkId()) < ref.offset() + ref.length()) {
            LOG.log(System.Logger.Level.WARNING, "block " + cid + ": the file it was referenced in ("
                    + references.linkPath(ref.linkId()) + ") is shorter than " + (ref.offset() + ref.length())
                    + " bytes now, or gone; the reference is dropped and the block is absent");
            deleteReference(cid, ref); // unless replaced or dropped meanwhile
            return OptionalLong.empty();
        }
        return OptionalLong.of(ref.length());
    }

    /**
     * Keeps the block as a reference into {@code file} when the store can link that file (same file
     * system); otherwise, or if a copy is stored already, as {@link #put(VerifiedBlock)}. A
     * reference the block had into another file is replaced.
     */
    @Override
    public void putReference(VerifiedBlock block, Path file, long offset) throws StorageException {
        putReferences(file, List.of(new BlockAt(block, offset)));
    }

    /**
     * As {@link #putReference} for each, with one fsync of {@code file}'s data and one append to
     * the reference log for them all.
     */
    @Override
    public void putReferences(Path file, List<BlockAt> blocks) throws StorageException {
        List<PendingReference> pending = new ArrayList<>();
        for (BlockAt b : blocks) {
            Cid cid = b.block().cid();
            if (Files.exists(pathOf(cid))) {
                continue;
            }
            Optional<String> linkId;
            try {
                linkId = references.acquire(file);
            } catch (IOException e) {
                pending.forEach(p -> releaseUnused(p.ref().linkId()));
                throw new StorageException("cannot reference block " + cid + " in " + file + " (nothing stored): " + e,
                        file.toString(), e);
            }
            if (linkId.isEmpty()) {
                write(cid, b.block().data()); // another file system: the caller's file cannot be linked
                continue;
            }
            byte[] data = b.block().data();
            pending.add(new PendingReference(cid, new FileReferences.Ref(linkId.get(), b.offset(), data.length, crc32c(data))));
        }
        writeReferences(pending);
    }

    /**
     * Moves a reference into another link to {@code file} when that range holds the same bytes
     * (its CRC32C is the reference's). A reference into the link to {@code file} already stays:
     * any range of the file that holds the bytes is as good, and a file holding one block many
     * times would otherwise rewrite its reference at each.
     */
    @Override
    public boolean moveReference(Cid cid, Path file, long offset) throws StorageException {
        Optional<FileReferences.Ref> found = log.get(cid);
        if (found.isEmpty() || Files.exists(pathOf(cid))) {
            return false;
        }
        FileReferences.Ref old = found.get();
        Optional<String> linkId;
        try {
            linkId = references.acquire(file);
        } catch (IOException e) {
            throw new StorageException("cannot reference block " + cid + " in " + file + " (kept as it was): " + e,
                    file.toString(), e);
        }
        if (linkId.isEmpty()) {
            return false;
        }
        if (linkId.get().equals(old.linkId())) {
            releaseUnused(linkId.get());
            return false;
        }
        FileReferences.Ref ref = new FileReferences.Ref(linkId.get(), offset, old.length(), old.crc());
        Optional<byte[]> there = references.read(ref);
        if (there.isEmpty() || crc32c(there.get()) != old.crc()) {
            releaseUnused(linkId.get());
            LOG.log(System.Logger.Level.WARNING, "block " + cid + ": " + file + " does not hold its bytes at " + offset
                    + (there.isEmpty() ? " (it is shorter)" : "") + "; its reference is kept where it was");
            return false;
        }
        return writeReferences(List.of(new PendingReference(cid, ref))) > 0;
    }

    /** A reference to write, its link acquired (one count of the link is the reference's). */
    private record PendingReference(Cid cid, FileReferences.Ref ref) {
    }

    /**
     * Writes references whose links have been acquired, with one append to the log: first the
     * referenced bytes are synced, since a durable reference into bytes a crash could lose would be
     * a stored block lost. One whose block has a copy, or has this same reference, or comes twice,
     * is not written, and its link is released; so is the link of each reference replaced, once the
     * new ones are durable.
     *
     * @return how many were written
     */
    private int writeReferences(List<PendingReference> pending) throws StorageException {
        if (pending.isEmpty()) {
            return 0;
        }
        Set<String> linkIds = new HashSet<>();
        pending.forEach(p -> linkIds.add(p.ref().linkId()));
        for (String linkId : linkIds) {
            try {
                references.syncData(linkId);
            } catch (IOException e) {
                pending.forEach(p -> releaseUnused(p.ref().linkId()));
                throw new StorageException("cannot sync the file blocks are referenced in (nothing stored): " + e,
                        references.linkPath(linkId).toString(), e);
            }
        }
        List<ReferenceLog.Change> changes = new ArrayList<>();
        List<PendingReference> unused = new ArrayList<>();
        Map<Cid, FileReferences.Ref> replaced;
        synchronized (referenceLock) {
            Set<Cid> seen = new HashSet<>();
            for (PendingReference p : pending) {
                if (!seen.add(p.cid()) || Files.exists(pathOf(p.cid()))
                        || p.ref().equals(log.get(p.cid()).orElse(null))) {
                    unused.add(p);
                } else {
                    changes.add(new ReferenceLog.Change(p.cid(), p.ref()));
                }
            }
            try {
                replaced = log.append(changes);
            } catch (IOException e) {
                pending.forEach(p -> releaseUnused(p.ref().linkId()));
                throw new StorageException("cannot write " + changes.size() + " block reference(s) (none stored): "
                        + describe(e), root.resolve(ReferenceLog.NAME).toString(), e);
            }
            for (ReferenceLog.Change c : changes) {
                FileReferences.Ref before = replaced.get(c.cid());
                if (before == null) {
                    count.incrementAndGet();
                    bytes.addAndGet(c.ref().length());
                } else {
                    bytes.addAndGet(c.ref().length() - before.length());
                }
            }
        }
        replaced.values().forEach(r -> releaseUnused(r.linkId()));
        unused.forEach(p -> releaseUnused(p.ref().linkId()));
        return changes.size();
    }

    /** Gives back a link acquired for a reference that is not written, or no longer kept. */
    private void releaseUnused(String linkId) {
        try {
            references.release(linkId);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove an unused link: " + e);
        }
    }

    @Override
    public Optional<InputStream> open(Cid cid) throws StorageException {
        Path file = pathOf(cid);
        if (!Files.exists(file)) {
            // Referenced blocks are at most what a caller held in memory: read and checked whole.
            return getReferenced(cid).map(java.io.ByteArrayInputStream::new);
        }
        try {
            // Hashed as it streams, checksum or not: streaming is for blocks too large to hold, which
            // can then not be hashed after a checksum mismatch.
            return Optional.of(new VerifyingInputStream(Files.newInputStream(file), cid, file.toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot open block " + cid + ": " + e, file.toString(), e);
        }
    }

    @Override
    public void put(Cid cid, byte[] data) throws StorageException {
        BlockDigest digest = BlockDigest.forCid(cid);
        digest.update(data, 0, data.length);
        digest.check();
        write(cid, data);
    }

    /** Hashed already: written as it is. */
    @Override
    public void put(VerifiedBlock block) throws StorageException {
        write(block.cid(), block.data());
    }

    /**
     * Writes a copy unless there is one. A block kept as a reference gets one too, and its reference
     * goes ({@link #commit}): a put means the store keeps the bytes, as {@code ipfs add} copies a
     * block the filestore only references; the file a reference reads may change or go.
     */
    private void write(Cid cid, byte[] data) throws StorageException {
        if (Files.exists(pathOf(cid))) {
            return;
        }
        Path tmp = tempFile(cid);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            writeChecksum(tmp, crc32c(data));
            out.force(true);
        } catch (IOException e) {
            discard(tmp);
            throw writeFailure(cid, tmp, e);
        }
        commit(cid, tmp, data.length);
    }

    @Override
    public long put(Cid cid, InputStream data) throws StorageException {
        BlockDigest digest = BlockDigest.forCid(cid);
        CRC32C crc = new CRC32C();
        Path tmp = tempFile(cid);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                OutputStream out = Channels.newOutputStream(channel)) {
            byte[] buf = new byte[BUFFER];
            while (true) {
                int n;
                try {
                    n = data.read(buf);
                } catch (IOException e) {
                    throw new StorageException("cannot read block " + cid + " from its stream after " + digest.length()
                            + " byte(s); nothing stored", null, e);
                }
                if (n < 0) {
                    break;
                }
                digest.update(buf, 0, n);
                crc.update(buf, 0, n);
                out.write(buf, 0, n);
            }
            digest.check();
            out.flush();
            writeChecksum(tmp, (int) crc.getValue());
            channel.force(true);
        } catch (StorageException e) {
            discard(tmp);
            throw e;
        } catch (IOException e) {
            discard(tmp);
            throw writeFailure(cid, tmp, e);
        }
        commit(cid, tmp, digest.length());
        return digest.length();
    }

    /**
     * Whether user extended attributes can be written in the store: a file system without them
     * (or with them switched off) leaves every read checked by hash.
     */
    private boolean probeChecksums() {
        Path probe = temp.resolve(tempPrefix + "xattr-probe");
        try {
            Files.createFile(probe);
            UserDefinedFileAttributeView view = Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class);
            if (view == null) {
                return false;
            }
            view.write(CHECKSUM_ATTRIBUTE, ByteBuffer.allocate(4));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.INFO, "block files under " + root + " get no checksum attribute ("
                    + e + "): every read is checked against the CID's hash");
            return false;
        } finally {
            discard(probe);
        }
    }

    private void writeChecksum(Path file, int crc) throws IOException {
        if (checksums) {
            Files.getFileAttributeView(file, UserDefinedFileAttributeView.class)
                    .write(CHECKSUM_ATTRIBUTE, ByteBuffer.allocate(4).putInt(0, crc));
        }
    }

    /** The stored CRC32C, if the file has a well-formed one. */
    private OptionalInt readChecksum(Path file) throws IOException {
        if (!checksums) {
            return OptionalInt.empty();
        }
        ByteBuffer value = ByteBuffer.allocate(8);
        try {
            int n = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class).read(CHECKSUM_ATTRIBUTE, value);
            return n == 4 ? OptionalInt.of(value.getInt(0)) : OptionalInt.empty();
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // No such attribute (ENODATA), or one longer than a CRC: the hash decides.
            return OptionalInt.empty();
        }
    }

    static int crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length);
        return (int) crc.getValue();
    }

    private Path tempFile(Cid cid) {
        return temp.resolve(tempPrefix + tempCounter.incrementAndGet() + ".tmp");
    }

    private void commit(Cid cid, Path tmp, long size) throws StorageException {
        Path file = pathOf(cid);
        synchronized (stripe(cid)) {
            if (Files.exists(file)) {
                discard(tmp);
                return;
            }
            try {
                Path shard = file.getParent();
                if (!Files.isDirectory(shard)) {
                    Files.createDirectories(shard);
                    syncDirectory(root);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the file system cannot rename atomically from " + temp + " to " + shard, e);
                }
                // The rename is durable only once the directory entry is.
                syncDirectory(shard);
            } catch (FileAlreadyExistsException e) {
                discard(tmp);
                return;
            } catch (IOException e) {
                discard(tmp);
                throw writeFailure(cid, file, e);
            }
            count.incrementAndGet();
            bytes.addAndGet(size);
            try {
                deleteReference(cid); // a copy now: a reference the block had is dropped
            } catch (StorageException e) {
                // The copy is what reads take; the next open drops the reference.
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
    }

    private static StorageException writeFailure(Cid cid, Path file, IOException e) {
        return new StorageException("cannot write block " + cid + " (nothing stored): " + describe(e), file.toString(), e);
    }

    /** A write's failure, with a full disk named as such. */
    private static String describe(IOException e) {
        String reason = String.valueOf(e.getMessage());
        return reason.contains("No space left") || reason.contains("Disk quota exceeded") ? "disk full: " + reason
                : e.toString();
    }

    private static void discard(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // Left for the next open to remove; the write has already failed with its own error.
        }
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public boolean delete(Cid cid) throws StorageException {
        Path file = pathOf(cid);
        synchronized (stripe(cid)) {
            try {
                long size;
                try {
                    size = Files.size(file);
                } catch (NoSuchFileException e) {
                    return deleteReference(cid);
                }
                Files.delete(file);
                syncDirectory(file.getParent());
                count.decrementAndGet();
                bytes.addAndGet(-size);
                return true;
            } catch (NoSuchFileException e) {
                return false;
            } catch (IOException e) {
                throw new StorageException("cannot delete block " + cid + ": " + e, file.toString(), e);
            }
        }
    }

    /** Drops the block's reference, if it is kept as one, and what it counted. */
    private boolean deleteReference(Cid cid) throws StorageException {
        return deleteReference(cid, null);
    }

    /**
     * Drops the block's reference if it is {@code expected} (any, if null), and what it counted:
     * checked under the lock that writes references, so one written meanwhile is not dropped.
     */
    private boolean deleteReference(Cid cid, FileReferences.Ref expected) throws StorageException {
        FileReferences.Ref ref;
        synchronized (referenceLock) {
            Optional<FileReferences.Ref> found = log.get(cid);
            if (found.isEmpty() || (expected != null && !expected.equals(found.get()))) {
                return false;
            }
            ref = found.get();
            try {
                log.append(List.of(new ReferenceLog.Change(cid, null)));
            } catch (IOException e) {
                throw new StorageException("cannot delete block reference " + cid + ": " + e,
                        root.resolve(ReferenceLog.NAME).toString(), e);
            }
            count.decrementAndGet();
            bytes.addAndGet(-ref.length());
        }
        releaseUnused(ref.linkId());
        return true;
    }

    /** The block files' CIDs, then those of the blocks kept only as references. */
    @Override
    public Cursor<Cid> cids() throws StorageException {
        Cursor<Path> files = files();
        Iterator<Cid> referenced = log.all().keySet().iterator();
        return new Cursor<>() {
            private Cid next;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (files.hasNext()) {
                    next = cidOf(files.next());
                    return true;
                }
                while (referenced.hasNext()) {
                    Cid cid = referenced.next();
                    if (!Files.exists(pathOf(cid))) { // else listed with the files
                        next = cid;
                        return true;
                    }
                }
                return false;
            }

            @Override
            public Cid next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Cid out = next;
                next = null;
                return out;
            }

            @Override
            public void close() {
                files.close();
            }
        };
    }

    /** The CID a block file or reference file is named after. */
    private static Cid cidOf(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(FileReferences.SUFFIX)) {
            name = name.substring(0, name.length() - FileReferences.SUFFIX.length());
        }
        return Cid.decode(Multibase.decode(name));
    }

    @Override
    public StoreStats stats() {
        return new StoreStats(count.get(), bytes.get());
    }

    /**
     * Walks the shard directories lazily; a file that is not a block of this store (a name that is
     * not a CID, or a CID in the wrong shard) is reported with its path rather than skipped.
     * Hidden names (starting with a dot) are ignored.
     */
    private Cursor<Path> files() throws StorageException {
        List<Path> shards = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                if (dir.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (!Files.isDirectory(dir)) {
                    throw new CorruptDataException(null, "foreign file in the block directory", dir.toString(), null);
                }
                shards.add(dir);
            }
        } catch (StorageException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException("cannot list the block directory: " + e, root.toString(), e);
        }
        Iterator<Path> shardIt = shards.iterator();
        return new Cursor<>() {
            private DirectoryStream<Path> current;
            private Iterator<Path> inShard = java.util.Collections.emptyIterator();
            private Path next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    if (inShard.hasNext()) {
                        Path candidate = inShard.next();
                        if (!candidate.getFileName().toString().startsWith(".")) {
                            check(candidate);
                            next = candidate;
                        }
                    } else if (shardIt.hasNext()) {
                        closeShard();
                        Path shard = shardIt.next();
                        try {
                            current = Files.newDirectoryStream(shard);
                        } catch (IOException e) {
                            throw new UncheckedIOException(new StorageException("cannot list block shard: " + e,
                                    shard.toString(), e));
                        }
                        inShard = current.iterator();
                    } else {
                        closeShard();
                        return false;
                    }
                }
                return true;
            }

            private void check(Path file) {
                Cid cid;
                try {
                    cid = cidOf(file);
                } catch (IllegalArgumentException e) {
                    throw new UncheckedIOException(new CorruptDataException(null,
                            "foreign file in the block directory: its name is not a CID (" + e.getMessage() + ")",
                            file.toString(), e));
                }
                if (!(isLegacyReference(file) ? legacyReferencePath(cid) : pathOf(cid)).equals(file)) {
                    throw new UncheckedIOException(new CorruptDataException(cid,
                            "block file for " + cid + " is in the wrong shard directory", file.toString(), null));
                }
            }

            @Override
            public Path next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Path out = next;
                next = null;
                return out;
            }

            private void closeShard() {
                if (current != null) {
                    try {
                        current.close();
                    } catch (IOException e) {
                        // listing is read-only; nothing to recover
                    }
                    current = null;
                }
            }

            @Override
            public void close() {
                closeShard();
            }
        };
    }
}
