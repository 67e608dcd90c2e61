package org.hyphae.control.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.Set;

import org.junit.jupiter.api.Test;

class JsonBodyTest {

    private static final Set<String> FIELDS = Set.of("to", "amount", "path");

    private static RequestRefused refused(String body) {
        return assertThrows(RequestRefused.class, () -> {
            JsonBody b = JsonBody.parse(body, FIELDS);
            b.text("to");
            b.integer("amount", 1, Long.MAX_VALUE, null);
            b.absolutePath("path");
        });
    }

    @Test
    void malformedBodiesAreRefusedWithTheReason() {
        assertTrue(refused("{").getMessage().contains("not valid JSON"));
        assertTrue(refused("[1]").getMessage().contains("must be a JSON object"));
        assertTrue(refused("{\"x\": 1}").getMessage().contains("unknown field \"x\""));
        assertTrue(refused("{\"amount\": 1, \"path\": \"/a\"}").getMessage().contains("\"to\" must be a non-empty string"));
        assertTrue(refused("{\"to\": \"a\", \"amount\": 1.5, \"path\": \"/a\"}").getMessage().contains("whole number"));
        assertTrue(refused("{\"to\": \"a\", \"amount\": 0, \"path\": \"/a\"}").getMessage().contains("from 1"));
        assertTrue(refused("{\"to\": \"a\", \"amount\": 99999999999999999999, \"path\": \"/a\"}").getMessage().contains("whole number"));
        assertTrue(refused("{\"to\": \"a\", \"amount\": \"5\", \"path\": \"/a\"}").getMessage().contains("must be a number"));
        assertTrue(refused("{\"to\": \"a\", \"amount\": 5, \"path\": \"rel/x\"}").getMessage().contains("absolute path"));
        for (String body : new String[] {"{", "[1]", "{\"x\": 1}"}) {
            assertEquals(400, refused(body).status());
        }
    }

    @Test
    void aGoodBodyGivesItsFields() throws Exception {
        JsonBody b = JsonBody.parse("{\"to\": \"peer\", \"amount\": 12, \"path\": \"/tmp/../tmp/x\"}", FIELDS);
        assertEquals("peer", b.text("to"));
        assertEquals(12, b.integer("amount", 1, 100, null));
        assertEquals(7, b.integer("fee", 0, 100, 7L));
        assertEquals("/tmp/x", b.absolutePath("path").toString());
    }

    @Test
    void wrongContentTypeAndOversizedBodiesAreRefused() {
        RequestRefused type = assertThrows(RequestRefused.class,
                () -> JsonBody.read("text/plain", new ByteArrayInputStream("{}".getBytes()), FIELDS));
        assertEquals(415, type.status());
        RequestRefused big = assertThrows(RequestRefused.class,
                () -> JsonBody.read("application/json", new ByteArrayInputStream(new byte[JsonBody.MAX_BODY + 1]), FIELDS));
        assertEquals(413, big.status());
    }
}
