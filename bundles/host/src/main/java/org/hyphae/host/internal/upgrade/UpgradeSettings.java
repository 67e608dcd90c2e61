package org.hyphae.host.internal.upgrade;

import java.time.Duration;

import org.hyphae.host.internal.yamux.YamuxSettings;

/**
 * Settings of the connection upgrade.
 *
 * @param handshakeTimeout the longest the whole upgrade (both negotiations and the Noise
 *     handshake) may take before the connection is closed
 * @param streamNegotiationTimeout the longest multistream-select may take on a new stream, in
 *     either direction, before the stream is reset
 * @param yamux the muxer's windows, stream limit and keep-alive
 */
public record UpgradeSettings(Duration handshakeTimeout, Duration streamNegotiationTimeout, YamuxSettings yamux) {

    public static final UpgradeSettings DEFAULTS =
            new UpgradeSettings(Duration.ofSeconds(15), Duration.ofSeconds(10), YamuxSettings.DEFAULTS);

    public UpgradeSettings {
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive");
        }
        if (streamNegotiationTimeout.isNegative() || streamNegotiationTimeout.isZero()) {
            throw new IllegalArgumentException("stream negotiation timeout must be positive");
        }
    }
}
