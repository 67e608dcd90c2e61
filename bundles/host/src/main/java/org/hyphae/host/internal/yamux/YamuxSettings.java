package org.hyphae.host.internal.yamux;

import java.time.Duration;

/**
 * Limits and tuning of one yamux session.
 *
 * @param initialWindow the receive window of a new stream; the spec fixes it at 256 KiB, and a
 *     larger value is granted by a window update when the stream opens
 * @param maxWindow how far a stream's receive window may grow by auto-tuning (as go-yamux: it
 *     doubles when a window is consumed within a few round trips); never less than the initial one
 * @param maxStreams most open streams, both directions together; further inbound streams are
 *     reset, further outbound ones fail
 * @param keepAliveInterval how often a ping goes out; a ping unanswered for this long closes the
 *     session; zero turns keep-alive off
 */
public record YamuxSettings(int initialWindow, int maxWindow, int maxStreams, Duration keepAliveInterval) {

    /** The window every stream starts with, by the spec. */
    public static final int SPEC_INITIAL_WINDOW = 256 * 1024;

    public static final YamuxSettings DEFAULTS =
            new YamuxSettings(SPEC_INITIAL_WINDOW, 16 * 1024 * 1024, 1024, Duration.ofSeconds(30));

    public YamuxSettings {
        if (initialWindow < SPEC_INITIAL_WINDOW) {
            throw new IllegalArgumentException("initial window must be at least 256 KiB, got " + initialWindow);
        }
        if (maxWindow < initialWindow) {
            throw new IllegalArgumentException("max window " + maxWindow + " < initial window " + initialWindow);
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("max streams must be positive");
        }
        if (keepAliveInterval.isNegative()) {
            throw new IllegalArgumentException("negative keep-alive interval");
        }
    }
}
