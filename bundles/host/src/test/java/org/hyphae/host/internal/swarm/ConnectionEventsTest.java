package org.hyphae.host.internal.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.hyphae.transport.Connection;
import org.hyphae.transport.ConnectionListener;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.testkit.MemoryConnection;
import org.hyphae.transport.testkit.MemoryNetwork;
import org.hyphae.transport.testkit.MemoryNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionEventsTest {

    private final ConnectionEvents events = new ConnectionEvents(r -> new Thread(r, "events-test"));
    private final MemoryNetwork network = new MemoryNetwork();

    @AfterEach
    void close() {
        events.close();
        network.close();
    }

    /** Records events as text, and the thread they came on. */
    private static final class Recorder implements ConnectionListener {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void connected(Connection connection) {
            record("connected " + connection.remoteAddress());
        }

        @Override
        public void identified(PeerInfo info) {
            record("identified " + info.agentVersion());
        }

        @Override
        public void disconnected(Connection connection) {
            record("disconnected " + connection.remoteAddress());
        }

        private void record(String event) {
            seen.add(event);
            threads.add(Thread.currentThread().getName());
        }
    }

    /** Waits until every event queued before this call has been delivered. */
    private void drain() throws Exception {
        events.delivered().get(5, TimeUnit.SECONDS);
    }

    private MemoryConnection connection() {
        MemoryNode a = network.node();
        MemoryNode b = network.node();
        return network.connect(a, b);
    }

    @Test
    void eventsArriveInOrderOnTheEventThread() throws Exception {
        Recorder recorder = new Recorder();
        events.add("r", () -> recorder);
        MemoryConnection c = connection();
        events.connected(c);
        events.identified(new PeerInfo(c.remotePeer(), "agent-x", "ipfs/0.1.0", List.of(), java.util.Set.of(),
                Optional.empty()));
        events.disconnected(c);
        drain();
        assertEquals(List.of("connected " + c.remoteAddress(), "identified agent-x", "disconnected " + c.remoteAddress()),
                recorder.seen);
        assertTrue(recorder.threads.stream().allMatch("events-test"::equals), "delivered on " + recorder.threads);
    }

    @Test
    void aLateListenerHearsOfOpenConnectionsOnceAndNotOfClosedOnes() throws Exception {
        MemoryConnection open = connection();
        MemoryConnection closed = connection();
        events.connected(open);
        events.connected(closed);
        events.disconnected(closed);
        Recorder late = new Recorder();
        events.add("late", () -> late);
        drain();
        assertEquals(List.of("connected " + open.remoteAddress()), late.seen);
    }

    @Test
    void aRemovedListenerHearsNothingMoreAndAFailingOneDoesNotStopOthers() throws Exception {
        Recorder kept = new Recorder();
        Recorder removed = new Recorder();
        events.add("failing", () -> new ConnectionListener() {
            @Override
            public void connected(Connection connection) {
                throw new IllegalStateException("listener bug");
            }
        });
        events.add("kept", () -> kept);
        events.add("removed", () -> removed);
        events.remove("removed");
        MemoryConnection c = connection();
        events.connected(c);
        drain();
        assertEquals(List.of("connected " + c.remoteAddress()), kept.seen);
        assertEquals(List.of(), removed.seen);
    }

    @Test
    void disconnectedWithoutConnectedIsNotAnnounced() throws Exception {
        Recorder recorder = new Recorder();
        events.add("r", () -> recorder);
        events.disconnected(connection());
        drain();
        assertEquals(List.of(), recorder.seen);
    }
}
