package org.hyphae.control.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/** A request's JSON object body, read with a size limit, and its fields checked one by one. */
final class JsonBody {

    static final int MAX_BODY = 8192;
    private final JsonObject object;

    private JsonBody(JsonObject object) {
        this.object = object;
    }

    /**
     * Parses a body that must be a JSON object holding only the fields named.
     *
     * @throws RequestRefused 415 for another content type, 413 when too large, 400 when malformed
     */
    static JsonBody read(String contentType, InputStream in, Set<String> fields) throws IOException, RequestRefused {
        if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
            throw new RequestRefused(415, "the body must be JSON (Content-Type: application/json), got "
                    + (contentType == null ? "none" : contentType));
        }
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new RequestRefused(413, "the body is larger than " + MAX_BODY + " bytes");
        }
        return parse(new String(body, StandardCharsets.UTF_8), fields);
    }

    static JsonBody parse(String text, Set<String> fields) throws RequestRefused {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new RequestRefused(400, "the body is not valid JSON: " + e.getMessage());
        }
        if (!root.isJsonObject()) {
            throw new RequestRefused(400, "the body must be a JSON object with the fields " + fields);
        }
        for (String key : root.getAsJsonObject().keySet()) {
            if (!fields.contains(key)) {
                throw new RequestRefused(400, "unknown field \"" + key + "\" (expected " + fields + ")");
            }
        }
        return new JsonBody(root.getAsJsonObject());
    }

    /** A required string field. */
    String text(String key) throws RequestRefused {
        JsonElement v = object.get(key);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString() || v.getAsString().isEmpty()) {
            throw new RequestRefused(400, "field \"" + key + "\" must be a non-empty string");
        }
        return v.getAsString();
    }

    /** A required absolute path. */
    Path absolutePath(String key) throws RequestRefused {
        String text = text(key);
        Path path;
        try {
            path = Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new RequestRefused(400, "field \"" + key + "\" is not a path: " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw new RequestRefused(400, "field \"" + key + "\" must be an absolute path (the node's working directory is"
                    + " not yours), got " + text);
        }
        return path.normalize();
    }

    /** An integer field within bounds, or {@code fallback} when absent. */
    long integer(String key, long min, long max, Long fallback) throws RequestRefused {
        JsonElement v = object.get(key);
        if (v == null && fallback != null) {
            return fallback;
        }
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            throw new RequestRefused(400, "field \"" + key + "\" must be a number");
        }
        JsonPrimitive p = v.getAsJsonPrimitive();
        long value;
        try {
            value = new java.math.BigDecimal(p.getAsString()).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new RequestRefused(400, "field \"" + key + "\" must be a whole number from " + min + " to " + max
                    + ", got " + p.getAsString());
        }
        if (value < min || value > max) {
            throw new RequestRefused(400, "field \"" + key + "\" must be from " + min + " to " + max + ", got " + value);
        }
        return value;
    }
}
