package org.hyphae.transport;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.osgi.annotation.versioning.ProviderType;

/** The libp2p perf protocol ({@code /perf/1.0.0}): measures throughput to a connected peer. */
@ProviderType
public interface Perf {

    /** The protocol id. */
    String PROTOCOL = "/perf/1.0.0";

    /**
     * Uploads {@code uploadBytes} to the peer and asks it to send back {@code downloadBytes}.
     *
     * @return the timings; fails if the peer is not connected or the stream breaks
     */
    CompletionStage<Result> measure(PeerId peer, long uploadBytes, long downloadBytes);

    /**
     * One perf run.
     *
     * @param uploaded bytes sent
     * @param downloaded bytes received
     * @param upload time from the first byte sent to the peer's first response byte
     * @param total time from opening the stream to the last byte received
     */
    record Result(long uploaded, long downloaded, Duration upload, Duration total) {}
}
