package org.hyphae.files.internal;

import java.time.Instant;

import org.hyphae.files.ProgressListener;
import org.hyphae.files.Transfer;
import org.hyphae.multiformats.Cid;

/** A fetch in progress: keeps its latest figures for {@code transfers()} and passes them on to the caller's listener. */
final class RunningFetch implements ProgressListener {

    private final Cid root;
    private final ProgressListener caller;
    private final Instant started = Instant.now();
    private volatile long bytesDone;
    private volatile long bytesTotal = -1;

    RunningFetch(Cid root, ProgressListener caller) {
        this.root = root;
        this.caller = caller == null ? ProgressListener.NONE : caller;
    }

    @Override
    public void progress(long done, long total) {
        bytesDone = done;
        bytesTotal = total;
        caller.progress(done, total);
    }

    Transfer snapshot() {
        return new Transfer(root, Math.max(0, bytesDone), Math.max(-1, bytesTotal), started);
    }

    Instant started() {
        return started;
    }
}
