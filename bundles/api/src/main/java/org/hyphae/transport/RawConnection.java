package org.hyphae.transport;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A raw, unsecured byte connection from a {@link Transport}, before the host upgrades it.
 *
 * <p>The host drives the bytes through the transport's I/O library; it reaches it with
 * {@link #unwrap(Class)} (for Netty-based transports, {@code io.netty.channel.Channel}), so that
 * this API names no implementation type.
 */
@ConsumerType
public interface RawConnection {

    /** This side's address. */
    Multiaddr localAddress();

    /** The other side's address, as this side sees it. */
    Multiaddr remoteAddress();

    /** Whether the other side dialled. */
    boolean isInbound();

    /**
     * The underlying I/O object of the given type, if this connection is backed by one.
     *
     * @param type for example {@code io.netty.channel.Channel}
     */
    <T> Optional<T> unwrap(Class<T> type);

    /** Closes the connection; idempotent. */
    void close();

    /** Completes when the connection is closed, by either side or by {@link #close()}. */
    CompletionStage<Void> closed();
}
