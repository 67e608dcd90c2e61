package org.hyphae.host.internal.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.hyphae.transport.ProtocolHandler;
import org.junit.jupiter.api.Test;

class ProtocolRouterTest {

    @Test
    void handlersComeAndGoAndTheSecondClaimantTakesOver() {
        ProtocolRouter router = new ProtocolRouter();
        ProtocolHandler first = stream -> { };
        ProtocolHandler second = stream -> { };
        assertTrue(router.add(first, List.of("/a/1.0.0", "/b/1.0.0")));
        assertFalse(router.add(second, List.of("/a/1.0.0")), "no new protocol: nothing to announce");
        assertSame(first, router.handler("/a/1.0.0").orElseThrow());
        assertTrue(router.remove(first), "/b/1.0.0 is gone");
        assertSame(second, router.handler("/a/1.0.0").orElseThrow());
        assertEquals(Set.of("/a/1.0.0"), router.protocols());
        assertTrue(router.remove(second));
        assertTrue(router.protocols().isEmpty());
    }

    @Test
    void protocolPropertyAsStringArrayOrList() {
        assertEquals(List.of("/x"), ProtocolRouter.protocolsOf(Map.of(ProtocolHandler.PROTOCOL_PROPERTY, "/x")));
        assertEquals(List.of("/x", "/y"), ProtocolRouter.protocolsOf(
                Map.of(ProtocolHandler.PROTOCOL_PROPERTY, new String[] {"/x", "/y"})));
        assertEquals(List.of("/z"), ProtocolRouter.protocolsOf(Map.of(ProtocolHandler.PROTOCOL_PROPERTY, List.of("/z"))));
        assertEquals(List.of(), ProtocolRouter.protocolsOf(Map.of()));
    }
}
