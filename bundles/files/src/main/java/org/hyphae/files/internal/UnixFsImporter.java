package org.hyphae.files.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.hyphae.files.ImportOptions;
import org.hyphae.files.ProgressListener;
import org.hyphae.multiformats.Cid;
import org.hyphae.multiformats.Multicodec;
import org.hyphae.multiformats.Multihash;
import org.hyphae.storage.BlockStore;

/**
 * Builds UnixFS DAGs the way ipfs-unixfs-importer (Helia) does with {@code rawLeaves: true,
 * cidVersion: 1} and a fixed-size chunker, so the CIDs match:
 * <ul>
 *   <li>a file is cut into chunks of exactly {@code chunkSize} bytes (the last shorter); an empty
 *       file is one empty chunk; each chunk is a raw block;
 *   <li>a file of one chunk is that raw block;
 *   <li>otherwise leaves are grouped {@code maxLinks} at a time into dag-pb file nodes, those again,
 *       level by level, until one node is left (the "balanced" layout); a group of one still makes a
 *       node;
 *   <li>a file node's links have an empty name and {@code Tsize} = the child's block size plus all
 *       its descendants' blocks; its UnixFS data has {@code filesize} and one {@code blocksizes}
 *       entry per link (the child's file bytes);
 *   <li>a directory node has UnixFS data {@code Type=Directory} only and one link per entry, named,
 *       sorted by the UTF-8 bytes of the name.
 * </ul>
 * Streaming: it holds one chunk and at most {@code maxLinks} links per tree level.
 */
final class UnixFsImporter {

    /**
     * ipfs-unixfs-importer turns a flat directory into a HAMT shard when the sum of its entries' name
     * bytes and CID bytes exceeds 256 KiB ("links-bytes"). Hyphae does not write HAMT shards yet, so
     * such a folder is refused rather than given a CID that differs from Helia's.
     */
    static final long SHARD_SPLIT_THRESHOLD_BYTES = 262_144;

    /** A block in the DAG being built: CID, cumulative DAG size (link Tsize), file bytes under it. */
    record Built(Cid cid, long tsize, long fileSize) {
    }

    private final BlockStore store;
    private final ImportOptions options;
    private final ProgressListener progress;
    private final long total;
    private long done;

    UnixFsImporter(BlockStore store, ImportOptions options, ProgressListener progress, long total) {
        this.store = store;
        this.options = options;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.total = total;
    }

    /** Imports a stream as a file. */
    Built importFile(InputStream in) throws IOException {
        int chunkSize = options.chunkSize();
        int maxLinks = options.maxLinks();
        // levels.get(0) holds leaves, levels.get(i) nodes of height i, each at most maxLinks long
        List<List<Built>> levels = new ArrayList<>();
        levels.add(new ArrayList<>(maxLinks));
        long chunks = 0;
        while (true) {
            byte[] chunk = in.readNBytes(chunkSize);
            if (chunk.length == 0 && chunks > 0) {
                break;
            }
            chunks++;
            Cid cid = Cid.v1(Multicodec.RAW, Multihash.sha2_256(chunk));
            store.put(cid, chunk);
            done += chunk.length;
            progress.progress(done, total);
            add(levels, 0, new Built(cid, chunk.length, chunk.length), maxLinks);
            if (chunk.length < chunkSize) {
                break;
            }
        }
        // Close the tree bottom-up: a level with a higher level above folds into a node there;
        // the top level is the root if it holds one entry, else it folds into the root.
        for (int level = 0; ; level++) {
            List<Built> entries = levels.get(level);
            boolean top = level == levels.size() - 1;
            if (top) {
                return entries.size() == 1 ? entries.get(0) : fileNode(entries);
            }
            if (!entries.isEmpty()) {
                Built node = fileNode(entries);
                entries.clear();
                add(levels, level + 1, node, maxLinks);
            }
        }
    }

    private void add(List<List<Built>> levels, int level, Built entry, int maxLinks) throws IOException {
        List<Built> entries = levels.get(level);
        if (entries.size() == maxLinks) {
            Built node = fileNode(entries);
            entries.clear();
            if (levels.size() == level + 1) {
                levels.add(new ArrayList<>(maxLinks));
            }
            add(levels, level + 1, node, maxLinks);
        }
        entries.add(entry);
    }

    private Built fileNode(List<Built> children) throws IOException {
        List<DagPb.Link> links = new ArrayList<>(children.size());
        List<Long> blocksizes = new ArrayList<>(children.size());
        long tsize = 0;
        long fileSize = 0;
        for (Built child : children) {
            links.add(new DagPb.Link(child.cid(), "", child.tsize()));
            blocksizes.add(child.fileSize());
            tsize += child.tsize();
            fileSize += child.fileSize();
        }
        byte[] block = DagPb.encode(links, UnixFsData.file(blocksizes));
        Cid cid = Cid.v1(Multicodec.DAG_PB, Multihash.sha2_256(block));
        store.put(cid, block);
        return new Built(cid, block.length + tsize, fileSize);
    }

    /** A named entry of a directory being built. */
    record Named(String name, Built built) {
    }

    /** Writes a directory node for entries in any order; sorts them as dag-pb requires. */
    Built directory(List<Named> entries, String where) throws IOException {
        List<Named> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> Arrays.compareUnsigned(a.name().getBytes(StandardCharsets.UTF_8),
                b.name().getBytes(StandardCharsets.UTF_8)));
        long estimate = 0;
        List<DagPb.Link> links = new ArrayList<>(sorted.size());
        long tsize = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Named entry = sorted.get(i);
            if (i > 0 && entry.name().equals(sorted.get(i - 1).name())) {
                throw new IOException("two entries named '" + entry.name() + "' in " + where);
            }
            estimate += entry.name().getBytes(StandardCharsets.UTF_8).length + entry.built().cid().bytes().length;
            links.add(new DagPb.Link(entry.built().cid(), entry.name(), entry.built().tsize()));
            tsize += entry.built().tsize();
        }
        if (estimate > SHARD_SPLIT_THRESHOLD_BYTES) {
            throw new IOException(where + " has too many entries for a flat UnixFS directory (" + sorted.size()
                    + " entries, " + estimate + " bytes of names and CIDs; over 256 KiB Helia writes a HAMT shard, "
                    + "which Hyphae does not write yet)");
        }
        byte[] block = DagPb.encode(links, UnixFsData.directory());
        Cid cid = Cid.v1(Multicodec.DAG_PB, Multihash.sha2_256(block));
        store.put(cid, block);
        return new Built(cid, block.length + tsize, 0);
    }

    /** Imports a regular file or a directory tree from disk. Symbolic links are refused. */
    Built importPath(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isRegularFile()) {
            try (InputStream in = Files.newInputStream(path)) {
                return importFile(in);
            } catch (IOException e) {
                throw e.getMessage() != null && e.getMessage().contains(path.toString()) ? e
                        : new IOException("cannot import " + path + ": " + e.getMessage(), e);
            }
        }
        if (attributes.isDirectory()) {
            List<Named> entries = new ArrayList<>();
            try (Stream<Path> children = Files.list(path)) {
                for (Path child : (Iterable<Path>) children.sorted()::iterator) {
                    entries.add(new Named(child.getFileName().toString(), importPath(child)));
                }
            }
            return directory(entries, path.toString());
        }
        throw new IOException(path + " is neither a regular file nor a directory (symbolic links and devices are not imported)");
    }

    /** Sums the sizes of the regular files under a path, for progress totals. */
    static long sizeOf(Path path) throws IOException {
        try (Stream<Path> all = Files.walk(path)) {
            return all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }
}
