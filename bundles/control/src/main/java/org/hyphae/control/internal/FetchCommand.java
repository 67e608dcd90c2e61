package org.hyphae.control.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import org.hyphae.files.FileSharing;
import org.hyphae.multiformats.Cid;

import com.google.gson.JsonObject;

/**
 * {@code get}: fetches a DAG from the swarm and writes it to a path as it arrives
 * ({@link FileSharing#get}, which resumes from stored blocks and pins), streaming progress events
 * (bytes, total, peers delivering) four times a second while the fetch runs.
 */
final class FetchCommand {

    static final long TICK_MS = 250;

    private FetchCommand() {}

    /** Checks the request before anything is answered, so bad input gets a 4xx. */
    static Cid root(String text) throws RequestRefused {
        try {
            return Cid.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RequestRefused(400, "not a CID: " + e.getMessage());
        }
    }

    static void checkTarget(Path target) throws RequestRefused {
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new RequestRefused(400, target + " already exists; give a path that does not");
        }
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new RequestRefused(400, "the folder " + parent + " does not exist");
        }
    }

    static void run(FileSharing files, IntSupplier peers, Cid root, Path target, EventStream events) throws IOException {
        AtomicLong bytes = new AtomicLong();
        AtomicLong total = new AtomicLong(-1);
        long start = System.nanoTime();
        CompletableFuture<Void> fetch = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                files.get(root, target, (done, all) -> {
                    bytes.set(done);
                    total.set(all);
                });
                fetch.complete(null);
            } catch (Throwable t) {
                fetch.completeExceptionally(t);
            }
        }, "hyphae-control-get-" + root);
        worker.setDaemon(true);
        worker.start();
        while (true) {
            try {
                fetch.get(TICK_MS, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException stillRunning) {
                // The fetch goes on if the client left (it resumes from what it stored); the write below throws.
                events.send(progress(bytes.get(), total.get(), peers.getAsInt(), start));
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                events.error("fetch of " + root + " failed: " + (cause.getMessage() != null ? cause.getMessage() : cause));
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                events.error("interrupted");
                return;
            }
        }
        events.send(progress(bytes.get(), total.get(), peers.getAsInt(), start));
        JsonObject done = EventStream.event("done");
        done.addProperty("cid", root.toString());
        done.addProperty("path", target.toString());
        done.addProperty("bytes", bytes.get());
        done.addProperty("seconds", (System.nanoTime() - start) / 1e9);
        events.send(done);
    }

    private static JsonObject progress(long bytes, long total, int peers, long start) {
        JsonObject p = EventStream.event("progress");
        p.addProperty("bytes", bytes);
        p.addProperty("total", total);
        p.addProperty("peers", peers);
        p.addProperty("seconds", (System.nanoTime() - start) / 1e9);
        return p;
    }
}
