package org.hyphae.discovery.dialer.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The target degree (PID {@value TargetDegreeDialer#PID}). Trimming above a high mark is the host's
 * ({@code org.hyphae.host} high_watermark / low_watermark): keep {@code target} below the host's
 * low watermark so the two never fight.
 */
@ObjectClassDefinition(name = "Hyphae connection dialer",
        description = "Dials peers from the peer store when the node has too few connections")
public @interface DialerConfig {

    @AttributeDefinition(description = "Below this many connected peers, dial more")
    int low() default 8;

    @AttributeDefinition(description = "How many connected peers to dial up to")
    int target() default 16;

    @AttributeDefinition(description = "Seconds between checks")
    int intervalSeconds() default 10;

    @AttributeDefinition(description = "Most peers dialled at once")
    int maxConcurrentDials() default 8;

    @AttributeDefinition(description = "Seconds to wait before redialling an address after its first failure; doubles per failure")
    int backoffSeconds() default 5;

    @AttributeDefinition(description = "Longest wait between attempts on a failing address, in seconds")
    int maxBackoffSeconds() default 600;

    @AttributeDefinition(description = "Failures in a row after which an address is removed from the peer store")
    int maxAddressFailures() default 6;

    @AttributeDefinition(description = "Seconds after a peer was last seen connected before it is redialled: a "
            + "connection that just closed (the peer or the host's trim closed it, or the host is reconnecting "
            + "over another transport) is left alone for this long")
    int reconnectGraceSeconds() default 30;

    @AttributeDefinition(description = "Peers scored below this are not dialled")
    double minScore() default -50;
}
