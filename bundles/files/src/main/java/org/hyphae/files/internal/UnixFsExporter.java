package org.hyphae.files.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import org.hyphae.files.FileSharing;
import org.hyphae.files.InvalidDagException;
import org.hyphae.files.ProgressListener;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.CorruptDataException;

/**
 * Walks UnixFS DAGs out of a block store, or out of a running fetch. Every block comes from
 * {@link BlockStore#get}, which verifies it against its CID, or from the exchange, which did, and
 * its bytes are written only after the checks below pass for it:
 * <ul>
 *   <li>a node on the path from the root is not met again below itself (cycle);
 *   <li>a file node has one {@code blocksizes} entry per link, and its declared {@code filesize}
 *       equals its own data plus those entries;
 *   <li>each child holds exactly the bytes its parent's entry declares (a raw leaf's length, a file
 *       node's filesize), checked before descending, so sizes that do not add up stop the export at
 *       the first wrong block;
 *   <li>blocks are at most {@link #MAX_BLOCK_SIZE} bytes and the tree at most {@link #MAX_DEPTH} deep.
 * </ul>
 */
final class UnixFsExporter {

    /** Bitswap peers refuse blocks over 2 MiB; nothing larger is a valid UnixFS block here. */
    static final long MAX_BLOCK_SIZE = 2L * 1024 * 1024;

    /** 174-ary trees of 256 KiB leaves reach exabytes well within this depth. */
    static final int MAX_DEPTH = 64;

    private final BlockSource source;

    UnixFsExporter(BlockStore store) {
        this(BlockSource.of(store));
    }

    UnixFsExporter(BlockSource source) {
        this.source = source;
    }

    /** A decoded block: raw bytes, or a dag-pb node with its UnixFS data. */
    record Block(Cid cid, byte[] raw, DagPb.Node node, UnixFsData.Decoded unixfs) {

        boolean isRaw() {
            return raw != null;
        }

        long contentSize() {
            return isRaw() ? raw.length : unixfs.contentSize();
        }
    }

    Block load(Cid cid) throws IOException {
        long codec = cid.codec();
        if (codec != Multicodec.RAW.code() && codec != Multicodec.DAG_PB.code()) {
            throw new InvalidDagException(cid, "codec " + Multicodec.describe(codec) + " is not UnixFS (raw or dag-pb)");
        }
        OptionalLong size = source.size(cid);
        if (size.isPresent() && size.getAsLong() > MAX_BLOCK_SIZE) {
            throw new InvalidDagException(cid, "block of " + size.getAsLong() + " bytes exceeds " + MAX_BLOCK_SIZE);
        }
        byte[] bytes;
        try {
            bytes = source.get(cid).orElseThrow(() -> new InvalidDagException(cid, "block not in the local store"));
        } catch (CorruptDataException e) {
            throw new InvalidDagException(cid, "block does not match its CID: " + e.getMessage(), e);
        }
        if (codec == Multicodec.RAW.code()) {
            return new Block(cid, bytes, null, null);
        }
        try {
            DagPb.Node node = DagPb.decode(bytes);
            if (node.data() == null) {
                throw new IOException("dag-pb node without UnixFS data");
            }
            return new Block(cid, null, node, UnixFsData.decode(node.data()));
        } catch (IOException e) {
            throw new InvalidDagException(cid, "not a valid UnixFS node: " + e.getMessage(), e);
        }
    }

    /** Writes a file's bytes; returns how many. */
    long cat(Cid root, OutputStream out, ProgressListener progress) throws IOException {
        return cat(load(root), out, null, progress);
    }

    /**
     * As {@link #cat(Cid, OutputStream, ProgressListener)}, for a root already loaded (not read
     * twice). With {@code file} (what {@code out} writes, unbuffered, from its start), the source is
     * told where each raw leaf went ({@link BlockSource#written}).
     */
    private long cat(Block block, OutputStream out, Path file, ProgressListener progress) throws IOException {
        Cid root = block.cid();
        if (!block.isRaw() && block.unixfs().type() != UnixFsData.FILE && block.unixfs().type() != UnixFsData.RAW) {
            throw new InvalidDagException(root, "not a file (UnixFS type " + block.unixfs().type() + ")");
        }
        long total = block.contentSize();
        long[] done = {0};
        writeFile(block, out, file, new HashSet<>(), 0, done, total, progress == null ? ProgressListener.NONE : progress);
        if (done[0] != total) {
            throw new InvalidDagException(root, "file declares " + total + " bytes but its blocks hold " + done[0]);
        }
        return done[0];
    }

    private void writeFile(Block block, OutputStream out, Path file, Set<Cid> ancestors, int depth, long[] done,
            long total, ProgressListener progress) throws IOException {
        Cid cid = block.cid();
        if (block.isRaw()) {
            out.write(block.raw());
            if (file != null) {
                source.written(cid, file, done[0]);
            }
            done[0] += block.raw().length;
            progress.progress(done[0], total);
            return;
        }
        if (depth > MAX_DEPTH) {
            throw new InvalidDagException(cid, "file DAG deeper than " + MAX_DEPTH + " levels");
        }
        if (!ancestors.add(cid)) {
            throw new InvalidDagException(cid, "cycle: the block links to itself through its descendants");
        }
        UnixFsData.Decoded data = block.unixfs();
        if (data.type() != UnixFsData.FILE && data.type() != UnixFsData.RAW) {
            throw new InvalidDagException(cid, "a file links to a non-file node (UnixFS type " + data.type() + ")");
        }
        List<DagPb.Link> links = block.node().links();
        long[] sizes = data.blocksizes();
        if (sizes.length != links.size()) {
            throw new InvalidDagException(cid, "file node has " + links.size() + " links but " + sizes.length + " blocksizes");
        }
        long own = data.data() == null ? 0 : data.data().length;
        long sum = own;
        for (long s : sizes) {
            sum += s;
            if (sum < 0) {
                throw new InvalidDagException(cid, "blocksizes overflow");
            }
        }
        if (data.filesize() >= 0 && data.filesize() != sum) {
            throw new InvalidDagException(cid, "declared filesize " + data.filesize() + " but data and blocksizes add up to " + sum);
        }
        if (own > 0) {
            out.write(data.data());
            done[0] += own;
            progress.progress(done[0], total);
        }
        for (int i = 0; i < links.size(); i++) {
            Cid childCid = links.get(i).hash();
            if (ancestors.contains(childCid)) {
                throw new InvalidDagException(childCid, "cycle: linked from its own descendant " + cid);
            }
            Block child = load(childCid);
            if (child.contentSize() != sizes[i]) {
                throw new InvalidDagException(childCid, "holds " + child.contentSize() + " bytes but its parent " + cid
                        + " declares " + sizes[i]);
            }
            writeFile(child, out, file, ancestors, depth + 1, done, total, progress);
        }
        ancestors.remove(cid);
    }

    /** Lists a directory's entries, or describes a file. */
    List<FileSharing.Entry> list(Cid root) throws IOException {
        Block block = load(root);
        if (block.isRaw() || block.unixfs().type() == UnixFsData.FILE || block.unixfs().type() == UnixFsData.RAW) {
            return List.of(new FileSharing.Entry("", root, FileSharing.Kind.FILE, block.contentSize()));
        }
        if (block.unixfs().type() != UnixFsData.DIRECTORY) {
            return List.of(new FileSharing.Entry("", root, FileSharing.Kind.OTHER, 0));
        }
        List<FileSharing.Entry> entries = new ArrayList<>();
        for (DagPb.Link link : block.node().links()) {
            FileSharing.Kind kind = FileSharing.Kind.OTHER;
            long size = link.tsize();
            if (source.has(link.hash())) {
                Block child = load(link.hash());
                if (child.isRaw() || child.unixfs().type() == UnixFsData.FILE || child.unixfs().type() == UnixFsData.RAW) {
                    kind = FileSharing.Kind.FILE;
                    size = child.contentSize();
                } else if (child.unixfs().type() == UnixFsData.DIRECTORY) {
                    kind = FileSharing.Kind.DIRECTORY;
                }
            }
            entries.add(new FileSharing.Entry(link.name(), link.hash(), kind, size));
        }
        return entries;
    }

    /** Writes a file or directory tree to {@code target}, which must not exist. */
    void export(Cid root, Path target, ProgressListener progress) throws IOException {
        refuseExisting(target);
        long[] done = {0};
        exportNode(root, target, new HashSet<>(), 0, done, progress == null ? ProgressListener.NONE : progress);
    }

    /**
     * Where a file is written until it is complete: named after the target and the file's root, so a
     * get of another DAG to the same target never writes into this one. A partial file may hold
     * blocks kept as references into it ({@link BlockStore#putReference}); written in place with
     * other bytes, they would be lost. The last 16 characters of the CID are of its digest.
     */
    static Path partialFile(Path target, Cid root) {
        String cid = root.toString();
        return target.resolveSibling("." + target.getFileName() + "." + cid.substring(Math.max(0, cid.length() - 16))
                + ".hyphae-partial");
    }

    /** An export never overwrites: checked before anything is fetched or written. */
    static void refuseExisting(Path target) throws IOException {
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(target + " exists; not overwritten");
        }
    }

    private void exportNode(Cid cid, Path target, Set<Cid> ancestors, int depth, long[] done, ProgressListener progress)
            throws IOException {
        if (depth > MAX_DEPTH) {
            throw new InvalidDagException(cid, "folder tree deeper than " + MAX_DEPTH + " levels");
        }
        Block block = load(cid);
        if (block.isRaw() || block.unixfs().type() == UnixFsData.FILE || block.unixfs().type() == UnixFsData.RAW) {
            Path partial = partialFile(target, cid);
            long before = done[0];
            // Not truncated: a partial file left by a node that was killed may hold blocks kept as
            // references into it (BlockStore.putReference). The same DAG (the name says which)
            // writes the same bytes at the same offsets again, so those stay valid.
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                long written = cat(block, Channels.newOutputStream(channel), partial,
                        (bytes, total) -> progress.progress(before + bytes, -1));
                channel.truncate(written);
                source.fileEnded(partial);
                done[0] = before + written;
            } catch (IOException | RuntimeException e) {
                // Blocks referenced in it stay readable: the store has a link of its own to it.
                try {
                    source.fileEnded(partial);
                } catch (IOException | RuntimeException stored) {
                    e.addSuppressed(stored);
                }
                Files.deleteIfExists(partial);
                throw e;
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        if (block.unixfs().type() != UnixFsData.DIRECTORY) {
            throw new InvalidDagException(cid, "UnixFS type " + block.unixfs().type()
                    + " is not exported yet (only files, raw blocks and flat directories)");
        }
        if (!ancestors.add(cid)) {
            throw new InvalidDagException(cid, "cycle: the folder contains itself");
        }
        Files.createDirectory(target);
        for (DagPb.Link link : block.node().links()) {
            String name = link.name();
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")
                    || name.indexOf('\0') >= 0) {
                throw new InvalidDagException(cid, "folder entry name '" + name + "' is not a plain file name");
            }
            if (ancestors.contains(link.hash())) {
                throw new InvalidDagException(link.hash(), "cycle: the folder " + cid + " contains its own ancestor");
            }
            exportNode(link.hash(), target.resolve(name), ancestors, depth + 1, done, progress);
        }
        ancestors.remove(cid);
    }
}
