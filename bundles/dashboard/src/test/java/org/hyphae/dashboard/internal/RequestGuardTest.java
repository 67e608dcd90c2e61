package org.hyphae.dashboard.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestGuardTest {

    @Test
    void onlyLoopbackHostsAreServed() {
        assertNull(RequestGuard.checkHost("127.0.0.1:5001"));
        assertNull(RequestGuard.checkHost("localhost:5001"));
        assertNull(RequestGuard.checkHost("[::1]:5001"));
        assertTrue(RequestGuard.checkHost("evil.example:5001").contains("not a loopback address"));
        assertTrue(RequestGuard.checkHost("127.0.0.1.evil.example").contains("not a loopback"));
        assertEquals("missing Host header", RequestGuard.checkHost(null));
    }

    @Test
    void writesOnlyFromTheDashboardsOwnOrigin() {
        assertNull(RequestGuard.checkWrite("127.0.0.1:5001", "http://127.0.0.1:5001", null));
        assertNull(RequestGuard.checkWrite("127.0.0.1:5001", null, "same-origin"));
        assertNull(RequestGuard.checkWrite("127.0.0.1:5001", null, null), "curl and scripts send no Origin");
        assertTrue(RequestGuard.checkWrite("127.0.0.1:5001", "http://evil.example", null).contains("is not this dashboard"));
        assertTrue(RequestGuard.checkWrite("127.0.0.1:5001", "http://127.0.0.1:5002", null).contains("is not this dashboard"));
        assertTrue(RequestGuard.checkWrite("127.0.0.1:5001", "https://127.0.0.1:5001", null).contains("is not this dashboard"));
        assertTrue(RequestGuard.checkWrite("127.0.0.1:5001", "null", null).contains("Origin is null"));
        assertTrue(RequestGuard.checkWrite("127.0.0.1:5001", null, "cross-site").contains("Sec-Fetch-Site is cross-site"));
        assertTrue(RequestGuard.checkWrite("127.0.0.1:5001", "http://a b", null).contains("malformed Origin"));
    }

    @Test
    void selectBodiesAreCheckedField_byField() {
        assertEquals(new DashboardApi.SelectRequest("blocks", "memory"),
                DashboardApi.SelectRequest.parse("{\"area\":\"blocks\",\"choice\":\"memory\"}"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DashboardApi.SelectRequest.parse("{"))
                .getMessage().contains("not valid JSON"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DashboardApi.SelectRequest.parse("\"x\""))
                .getMessage().contains("JSON object"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DashboardApi.SelectRequest.parse("{\"area\":1,\"choice\":\"m\"}")).getMessage().contains("\"area\" must be a string"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DashboardApi.SelectRequest.parse("{\"area\":\"a b\",\"choice\":\"m\"}")).getMessage().contains("letters"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DashboardApi.SelectRequest.parse("{\"area\":\"a\"}")).getMessage().contains("\"choice\" must be a string"));
    }
}
