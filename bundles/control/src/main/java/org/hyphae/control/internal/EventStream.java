package org.hyphae.control.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import javax.servlet.http.HttpServletResponse;

import com.google.gson.JsonObject;

/**
 * The answer to a long command: one JSON object a line ({@code application/x-ndjson}), flushed as
 * each is written, so the command line can draw progress while the node works. The last line has
 * {@code "event": "done"} or {@code "event": "error"}.
 */
final class EventStream {

    static final String CONTENT_TYPE = "application/x-ndjson; charset=utf-8";
    private final OutputStream out;

    EventStream(HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType(CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        out = response.getOutputStream();
    }

    static JsonObject event(String name) {
        JsonObject e = new JsonObject();
        e.addProperty("event", name);
        return e;
    }

    /** Writes and flushes one event; an IOException means the client went away. */
    void send(JsonObject event) throws IOException {
        out.write((event + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void error(String reason) throws IOException {
        JsonObject e = event("error");
        e.addProperty("error", reason);
        send(e);
    }
}
