package org.hyphae.tests.faulty;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Host;
import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.Stream;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * A badly written extension: its protocol handler throws on every stream. The command
 * {@code faulty:call <peer>} opens a stream of that protocol to a peer and says what happened.
 */
@Component(service = {ProtocolHandler.class, ThrowingHandler.class}, property = {
        ProtocolHandler.PROTOCOL_PROPERTY + "=" + ThrowingHandler.PROTOCOL,
        "osgi.command.scope=faulty",
        "osgi.command.function=call"})
public final class ThrowingHandler implements ProtocolHandler {

    static final String PROTOCOL = "/hyphae-test/throws/1.0.0";

    @Reference
    private Host host;

    @Override
    public void handle(Stream stream) {
        throw new IllegalStateException("the faulty fixture's handler always throws");
    }

    /** {@code faulty:call <peer>}: opens a stream and reads; the peer's throwing handler should reset it. */
    public String call(String peer) {
        try {
            Stream s = host.newStream(PeerId.parse(peer), List.of(PROTOCOL)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            s.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
            var read = s.read().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return "call ended: " + (read.isEmpty() ? "end of stream" : read.get().remaining() + " bytes");
        } catch (Exception e) {
            Throwable t = e.getCause() != null ? e.getCause() : e;
            return "call failed: " + t;
        }
    }
}
