package org.hyphae.host.internal.swarm;

import java.lang.annotation.Annotation;
import java.util.Map;

import org.hyphae.identity.Identity;
import org.hyphae.transport.Host;
import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.Transport;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The real {@link SwarmHost} wired by hand instead of by Declarative Services, so one JVM can run
 * hundreds of them: the simulation calls the bind methods SCR would call (they are package-private,
 * hence this class's package). The BundleContext is a real framework's.
 */
public final class StandaloneHost {

    private final SwarmHost host;

    /**
     * @param context a running framework's context (the host reads properties and handler services from it)
     * @param listen the multiaddrs to listen on, e.g. {@code /ip4/127.0.0.1/tcp/0}
     */
    public StandaloneHost(BundleContext context, Identity identity, Transport transport, String transportName,
            Limits limits, String... listen) {
        host = new SwarmHost(context, identity, config(limits, listen));
        host.bindTransport(transport, Map.of(Transport.PROTOCOL_PROPERTY, transportName));
    }

    /** The connection manager's settings for a simulated node. */
    public record Limits(int lowWatermark, int highWatermark, int maxInbound, int maxOutbound, int idleTimeoutSeconds) {
    }

    public Host host() {
        return host;
    }

    /** Routes the protocol of a registered {@link ProtocolHandler} service to it, as SCR would. */
    public void bind(ServiceReference<ProtocolHandler> handler) {
        host.bindProtocolHandler(handler);
    }

    /** Stops the host: listeners and connections closed. */
    public void stop() {
        host.deactivate();
    }

    private static HostConfig config(Limits limits, String[] listen) {
        return new HostConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return HostConfig.class;
            }

            @Override
            public String[] listen() {
                return listen.clone();
            }

            @Override
            public int high_watermark() {
                return limits.highWatermark();
            }

            @Override
            public int low_watermark() {
                return limits.lowWatermark();
            }

            @Override
            public int max_inbound() {
                return limits.maxInbound();
            }

            @Override
            public int max_outbound() {
                return limits.maxOutbound();
            }

            @Override
            public int max_connections_per_peer() {
                return 2;
            }

            @Override
            public int max_pending_dials() {
                return 64;
            }

            @Override
            public int max_streams_per_connection() {
                return 512;
            }

            @Override
            public int handshake_timeout_millis() {
                return 20_000;
            }

            @Override
            public int idle_timeout_seconds() {
                return limits.idleTimeoutSeconds();
            }
        };
    }
}
