package org.hyphae.storage.commands;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.StorageException;

/**
 * Copies everything from one store of each kind to another and then verifies the copy: every block
 * is read back from the target (which checks its hash) and every datastore entry is compared in
 * order. Copying is idempotent, so an interrupted migration can simply be run again.
 */
final class StoreMigration {

    private static final int BATCH = 500;
    private static final long REPORT_EVERY_NANOS = 1_000_000_000L;

    private final Consumer<String> progress;
    private long lastReport;

    StoreMigration(Consumer<String> progress) {
        this.progress = progress;
    }

    /** Counts of what a migration did. */
    record Result(long blocksCopied, long blocksPresent, long blockBytes, long entriesCopied) {
    }

    Result migrate(BlockStore fromBlocks, BlockStore toBlocks, Datastore fromData, Datastore toData)
            throws StorageException {
        long copied = 0;
        long present = 0;
        long bytes = 0;
        long total = fromBlocks.stats().count();
        try (Cursor<Cid> cids = fromBlocks.cids()) {
            while (cids.hasNext()) {
                Cid cid = cids.next();
                if (toBlocks.has(cid)) {
                    present++;
                } else {
                    Optional<byte[]> data = fromBlocks.get(cid);
                    if (data.isPresent()) {
                        toBlocks.put(cid, data.get());
                        copied++;
                        bytes += data.get().length;
                    }
                }
                report("blocks: " + (copied + present) + "/" + total + " (" + copied + " copied, " + present
                        + " already there)");
            }
        } catch (UncheckedIOException e) {
            throw (StorageException) e.getCause();
        }
        progress.accept("blocks: copied " + copied + " (" + bytes + " bytes), " + present + " already there");

        long entries = 0;
        long totalEntries = fromData.stats().count();
        try (Cursor<Entry> scan = fromData.scan(KeyRange.all())) {
            List<Entry> pending = new ArrayList<>();
            while (scan.hasNext()) {
                pending.add(scan.next());
                if (pending.size() == BATCH || !scan.hasNext()) {
                    try (Datastore.Batch batch = toData.batch()) {
                        for (Entry e : pending) {
                            batch.put(e.key(), e.value());
                        }
                        batch.commit();
                    }
                    entries += pending.size();
                    pending.clear();
                    report("datastore: " + entries + "/" + totalEntries + " entries copied");
                }
            }
        } catch (UncheckedIOException e) {
            throw (StorageException) e.getCause();
        }
        progress.accept("datastore: copied " + entries + " entries");
        verify(fromBlocks, toBlocks, fromData, toData);
        return new Result(copied, present, bytes, entries);
    }

    private void verify(BlockStore fromBlocks, BlockStore toBlocks, Datastore fromData, Datastore toData)
            throws StorageException {
        long checked = 0;
        try (Cursor<Cid> cids = fromBlocks.cids()) {
            while (cids.hasNext()) {
                Cid cid = cids.next();
                // get() verifies the hash in the target store itself.
                if (toBlocks.get(cid).isEmpty()) {
                    throw new StorageException("verification failed: block " + cid + " is missing from the target", null);
                }
                checked++;
                report("verifying blocks: " + checked);
            }
        } catch (UncheckedIOException e) {
            throw (StorageException) e.getCause();
        }
        long entries = 0;
        try (Cursor<Entry> a = fromData.scan(KeyRange.all())) {
            while (a.hasNext()) {
                Entry e = a.next();
                Optional<byte[]> copy = toData.get(e.key());
                if (copy.isEmpty() || !Arrays.equals(copy.get(), e.value())) {
                    throw new StorageException("verification failed: datastore key "
                            + java.util.HexFormat.of().formatHex(e.key()) + " differs in the target", null);
                }
                entries++;
                report("verifying datastore: " + entries);
            }
        } catch (UncheckedIOException e) {
            throw (StorageException) e.getCause();
        }
        progress.accept("verified " + checked + " blocks and " + entries + " datastore entries in the target");
    }

    private void report(String line) {
        long now = System.nanoTime();
        if (now - lastReport >= REPORT_EVERY_NANOS) {
            lastReport = now;
            progress.accept(line);
        }
    }
}
