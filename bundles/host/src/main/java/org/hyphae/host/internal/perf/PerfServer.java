package org.hyphae.host.internal.perf;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Set;

import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.StreamReader;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Perf;
import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The server side of {@code /perf/1.0.0}: reads the 8-byte big-endian count, reads and discards
 * the upload until the end of the stream, then sends that many bytes and closes.
 *
 * <p>Off by default, as the spec asks (a client can make the server send without limit): the
 * component needs a configuration with PID {@value #PID} (for example
 * {@code config/org.hyphae.host.perf.server.cfg}, which may be empty). The optional
 * {@code allowed.peers} list restricts it to some peers.
 */
@Component(service = ProtocolHandler.class, configurationPid = PerfServer.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = ProtocolHandler.PROTOCOL_PROPERTY + "=" + Perf.PROTOCOL)
@Designate(ocd = PerfServer.Config.class)
public final class PerfServer implements ProtocolHandler {

    static final String PID = "org.hyphae.host.perf.server";
    private static final System.Logger LOG = System.getLogger(PerfServer.class.getName());

    @ObjectClassDefinition(name = "Hyphae perf server",
            description = "Serves /perf/1.0.0. Present configuration enables it; remove it to disable.")
    public @interface Config {
        @AttributeDefinition(name = "Allowed peers",
                description = "Peer ids allowed to run perf against this node; empty allows every peer.")
        String[] allowed_peers() default {};

        @AttributeDefinition(name = "Write size (bytes)", description = "Bytes per stream write when sending.",
                min = "1024")
        int write_size() default PerfStreams.DEFAULT_CHUNK;
    }

    private volatile Set<PeerId> allowed = Set.of();
    private volatile ByteBuffer zeros = PerfStreams.zeros(PerfStreams.DEFAULT_CHUNK);

    /** For DS. */
    public PerfServer() {
    }

    /** For tests and for use without DS. */
    public PerfServer(Set<PeerId> allowedPeers, int writeSize) {
        this.allowed = Set.copyOf(allowedPeers);
        this.zeros = PerfStreams.zeros(writeSize);
    }

    @Activate
    @Modified
    void configure(Config config) {
        java.util.HashSet<PeerId> peers = new java.util.HashSet<>();
        for (String p : config.allowed_peers()) {
            if (!p.isBlank()) {
                peers.add(PeerId.parse(p.trim())); // a bad id fails activation with the parse error
            }
        }
        allowed = Set.copyOf(peers);
        zeros = PerfStreams.zeros(Math.max(1024, config.write_size()));
    }

    @Override
    public void handle(Stream stream) {
        PeerId peer = stream.remotePeer();
        Set<PeerId> allow = allowed;
        if (!allow.isEmpty() && !allow.contains(peer)) {
            LOG.log(Level.INFO, "refusing perf from {0}: not in allowed.peers", peer);
            stream.reset();
            return;
        }
        ByteBuffer filler = zeros;
        StreamReader reader = new StreamReader(stream);
        long[] asked = new long[1];
        reader.readExactly(Long.BYTES, "perf request (8-byte byte count)")
                .thenCompose(header -> {
                    asked[0] = ByteBuffer.wrap(header).getLong();
                    return reader.drain(); // the spec: never send while the upload runs
                })
                .thenCompose(uploaded -> PerfStreams.send(stream, filler, asked[0]))
                .thenCompose(v -> stream.closeWrite())
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.log(Level.DEBUG, "perf stream from {0} failed: {1}", peer, AsyncLoop.unwrap(e).toString());
                        stream.reset();
                    }
                });
    }
}
