package org.hyphae.exchange.bitswap.internal;

/**
 * Paces the block bytes a node serves to a rate (an upload limit, as BitTorrent clients have): a
 * token bucket that holds at most {@link #BURST_NANOS} of the rate. A block goes when the bucket is
 * not in debt and is charged whole, so a block larger than the bucket still goes, and the debt it
 * leaves is waited off before the next. Not thread-safe: the caller holds its lock.
 */
final class UploadPacer {

    /** The most the bucket holds, in time at the rate: small, so an idle node bursts little. */
    static final long BURST_NANOS = 100_000_000L;

    private double tokens;
    private long rate;
    private long last;

    /**
     * Nanoseconds to wait before the next block may go at {@code bytesPerSecond}; 0 if it may go now
     * or the rate is 0 (no limit).
     */
    long waitNanos(long bytesPerSecond, long nowNanos) {
        if (bytesPerSecond <= 0) {
            rate = 0;
            return 0;
        }
        refill(bytesPerSecond, nowNanos);
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * 1e9 / bytesPerSecond);
    }

    /** A block of {@code bytes} went. */
    void charge(long bytesPerSecond, long bytes, long nowNanos) {
        if (bytesPerSecond <= 0) {
            return;
        }
        refill(bytesPerSecond, nowNanos);
        tokens -= bytes;
    }

    private void refill(long bytesPerSecond, long nowNanos) {
        double capacity = bytesPerSecond * (BURST_NANOS / 1e9);
        if (rate == 0) {
            // Limited from now on (first use, or the limit was off): a full bucket.
            tokens = capacity;
        } else {
            tokens = Math.min(capacity, tokens + (nowNanos - last) * (bytesPerSecond / 1e9));
        }
        rate = bytesPerSecond;
        last = nowNanos;
    }
}
