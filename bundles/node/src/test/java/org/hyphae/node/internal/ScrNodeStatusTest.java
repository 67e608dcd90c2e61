package org.hyphae.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ScrNodeStatusTest {

    @Test
    void rootCauseDigsThroughScrStackTrace() {
        String failure = """
                java.lang.reflect.InvocationTargetException
                \tat java.base/jdk.internal.reflect.DirectConstructorHandleAccessor.newInstance(Unknown Source)
                Caused by: java.lang.IllegalStateException: identity key file /d/identity.key: corrupt
                \tat org.hyphae.identity.internal.Ed25519Identity.<init>(Ed25519Identity.java:55)
                Caused by: org.hyphae.identity.internal.IdentityKeyException: identity key file /d/identity.key: corrupt
                \t... 12 more
                """;
        assertEquals("identity key file /d/identity.key: corrupt", ScrNodeStatus.rootCause(failure));
        assertEquals("the real reason", ScrNodeStatus.rootCause("""
                org.osgi.service.component.ComponentException: java.lang.reflect.InvocationTargetException
                Caused by: java.lang.reflect.InvocationTargetException
                Caused by: java.lang.IllegalArgumentException: the real reason
                """));
    }

    @Test
    void rootCauseOfPlainMessages() {
        assertEquals("boom", ScrNodeStatus.rootCause("java.lang.RuntimeException: boom\n\tat x.y(Z.java:1)"));
        assertEquals("no colon here", ScrNodeStatus.rootCause("no colon here"));
        assertEquals("unknown reason", ScrNodeStatus.rootCause(null));
    }
}
