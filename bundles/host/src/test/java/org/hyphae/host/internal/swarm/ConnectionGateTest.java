package org.hyphae.host.internal.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Direction;
import org.junit.jupiter.api.Test;

class ConnectionGateTest {

    @Test
    void inboundOutboundAndPerPeerLimitsAreSeparateAndReleased() {
        ConnectionGate gate = new ConnectionGate(limits(2, 1, 1, 1));
        assertTrue(gate.admit(Direction.INBOUND).isEmpty());
        assertTrue(gate.admit(Direction.INBOUND).isEmpty());
        assertEquals("inbound connection limit 2 reached", gate.admit(Direction.INBOUND).orElseThrow());
        assertTrue(gate.admit(Direction.OUTBOUND).isEmpty(), "outbound has its own budget");
        assertTrue(gate.admit(Direction.OUTBOUND).isPresent());
        gate.release(Direction.INBOUND);
        assertTrue(gate.admit(Direction.INBOUND).isEmpty(), "a closed connection frees its slot");
        assertEquals(3, gate.connections());

        PeerId peer = PeerId.fromEd25519PublicKey(new byte[32]);
        assertTrue(gate.admitPeer(peer).isEmpty());
        assertTrue(gate.admitPeer(peer).orElseThrow().contains("already has 1 connections"));
        gate.releasePeer(peer);
        assertTrue(gate.admitPeer(peer).isEmpty());
    }

    @Test
    void pendingDialsAreBoundedAndLimitsChangeAtRuntime() {
        ConnectionGate gate = new ConnectionGate(limits(10, 10, 10, 1));
        assertTrue(gate.startDial().isEmpty());
        assertEquals("pending dial limit 1 reached", gate.startDial().orElseThrow());
        gate.limits(limits(10, 10, 10, 2));
        assertTrue(gate.startDial().isEmpty());
        gate.endDial();
        gate.endDial();
        assertTrue(gate.startDial().isEmpty());
    }

    static HostConfig limits(int inbound, int outbound, int perPeer, int dials) {
        return new HostConfig() {
            public Class<? extends Annotation> annotationType() { return HostConfig.class; }
            public String[] listen() { return new String[0]; }
            public int high_watermark() { return 100; }
            public int low_watermark() { return 50; }
            public int max_inbound() { return inbound; }
            public int max_outbound() { return outbound; }
            public int max_connections_per_peer() { return perPeer; }
            public int max_pending_dials() { return dials; }
            public int max_streams_per_connection() { return 64; }
            public int handshake_timeout_millis() { return 1000; }
            public int idle_timeout_seconds() { return 0; }
        };
    }
}
