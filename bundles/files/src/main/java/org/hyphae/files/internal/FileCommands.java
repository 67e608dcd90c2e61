package org.hyphae.files.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import org.hyphae.exchange.BlockExchange;
import org.hyphae.files.FileSharing;
import org.hyphae.files.ImportOptions;
import org.hyphae.files.Pin;
import org.hyphae.multiformats.Cid;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code hyphae:add}, {@code hyphae:ls}, {@code hyphae:cat}, {@code hyphae:export},
 * {@code hyphae:pin}, {@code hyphae:unpin}, {@code hyphae:get}, {@code hyphae:gc}. Plain methods (no Gogo types), so the bundle does not
 * need Gogo to resolve.
 */
@Component(service = FileCommands.class, property = {
        "osgi.command.scope=hyphae",
        "osgi.command.function=add",
        "osgi.command.function=ls",
        "osgi.command.function=cat",
        "osgi.command.function=export",
        "osgi.command.function=pin",
        "osgi.command.function=unpin",
        "osgi.command.function=get",
        "osgi.command.function=gc"})
public final class FileCommands {

    @Reference
    private FileSharing files;

    @Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC,
            policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY)
    private volatile BlockExchange exchange;

    /**
     * {@code hyphae:get <cid> <path>}: fetches a file or folder from the swarm (Bitswap), resuming
     * from blocks already stored, pins it, and writes it to {@code path} while it arrives. Shows a progress line
     * (bytes, rate, peers delivering, ETA) while it runs.
     *
     * @param cid the root
     * @param path where to write; must not exist
     * @return a summary
     * @throws IOException if the fetch or the export fails
     */
    public String get(String cid, String path) throws IOException {
        Cid root = Cid.parse(cid);
        PrintStream out = System.out;
        FetchProgress progress = new FetchProgress(out, () -> {
            BlockExchange ex = exchange;
            return ex == null ? 0 : ex.stats().peersServing();
        });
        BlockExchange before = exchange;
        long receivedBefore = before == null ? 0 : before.stats().bytesReceived();
        files.get(root, Path.of(path), progress);
        progress.finish();
        BlockExchange after = exchange;
        // What came over the network, as against what the store already had (a resumed fetch); the
        // exchange's counter is shared by concurrent fetches, so this is an upper bound for this one.
        long fromPeers = after == null || after != before ? -1 : after.stats().bytesReceived() - receivedBefore;
        return "got " + cid + " (" + FetchProgress.size(progress.bytes()) + " in "
                + String.format("%.1f", progress.seconds()) + " s, " + FetchProgress.size((long) progress.rate())
                + "/s" + (fromPeers >= 0 ? ", " + fromPeers + " bytes of blocks from peers" : "") + ") to " + path;
    }

    /**
     * {@code hyphae:gc}: deletes the blocks no pin reaches.
     *
     * @return what was removed
     * @throws IOException if the store fails
     */
    public String gc() throws IOException {
        FileSharing.GcResult r = files.collectGarbage();
        return "removed " + r.blocksRemoved() + " block(s), " + FetchProgress.size(r.bytesRemoved()) + "; kept "
                + r.blocksKept() + " pinned block(s)";
    }

    /**
     * {@code hyphae:add <path>}: imports a file or folder with the default options (256 KiB chunks,
     * raw leaves, CIDv1), pins it and prints the root CID.
     *
     * @param path the file or folder
     * @return the root CID
     * @throws IOException if it cannot be imported
     */
    public String add(String path) throws IOException {
        return files.add(Path.of(path), ImportOptions.defaults(), null).toString();
    }

    /**
     * {@code hyphae:add <chunkSize> <path>}: as {@link #add(String)} with {@code 256k} or {@code 1m} chunks.
     *
     * @param chunk {@code 256k}, {@code 1m} or a byte count
     * @param path the file or folder
     * @return the root CID
     * @throws IOException if it cannot be imported
     */
    public String add(String chunk, String path) throws IOException {
        int size = switch (chunk.toLowerCase()) {
            case "256k", "256kib" -> ImportOptions.CHUNK_256_KIB;
            case "1m", "1mib" -> ImportOptions.CHUNK_1_MIB;
            default -> Integer.parseInt(chunk);
        };
        return files.add(Path.of(path), ImportOptions.defaults().withChunkSize(size), null).toString();
    }

    /**
     * {@code hyphae:ls}: the pins.
     *
     * @return one pin a line
     * @throws IOException if the pins cannot be read
     */
    public String ls() throws IOException {
        StringBuilder out = new StringBuilder();
        List<Pin> pins = files.pins();
        for (Pin pin : pins) {
            out.append(pin.root()).append("  ").append(pin.name()).append("  ").append(pin.since()).append('\n');
        }
        return pins.isEmpty() ? "no pins" : out.toString().stripTrailing();
    }

    /**
     * {@code hyphae:ls <cid>}: a folder's entries, or a file's size.
     *
     * @param cid the root
     * @return one entry a line: kind, size, CID, name
     * @throws IOException if the DAG cannot be read
     */
    public String ls(String cid) throws IOException {
        StringBuilder out = new StringBuilder();
        for (FileSharing.Entry e : files.list(Cid.parse(cid))) {
            out.append(String.format("%-9s %12d  %s  %s%n", e.kind().name().toLowerCase(), e.size(), e.cid(), e.name()));
        }
        return out.toString().stripTrailing();
    }

    /**
     * {@code hyphae:cat <cid>}: writes a file's bytes to the console.
     *
     * @param cid the file
     * @throws IOException if the DAG cannot be read or is invalid
     */
    public void cat(String cid) throws IOException {
        PrintStream out = System.out;
        files.cat(Cid.parse(cid), out, null);
        out.flush();
    }

    /**
     * {@code hyphae:export <cid> <path>}: writes a file or folder to disk.
     *
     * @param cid the root
     * @param path where to write; must not exist
     * @return a confirmation
     * @throws IOException if the DAG cannot be read or the path written
     */
    public String export(String cid, String path) throws IOException {
        files.export(Cid.parse(cid), Path.of(path), null);
        return "exported " + cid + " to " + path;
    }

    /**
     * {@code hyphae:pin <cid>}.
     *
     * @param cid the root to keep
     * @return a confirmation
     * @throws IOException if the pin cannot be stored
     */
    public String pin(String cid) throws IOException {
        files.pin(Cid.parse(cid), "");
        return "pinned " + cid;
    }

    /**
     * {@code hyphae:unpin <cid>}.
     *
     * @param cid the root
     * @return whether it was pinned
     * @throws IOException if the pin cannot be removed
     */
    public String unpin(String cid) throws IOException {
        return files.unpin(Cid.parse(cid)) ? "unpinned " + cid : cid + " was not pinned";
    }
}
