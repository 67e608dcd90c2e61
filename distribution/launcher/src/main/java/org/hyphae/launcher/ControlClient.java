package org.hyphae.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * Talks to a running node's control API (bundle org.hyphae.control): finds its URL and token in
 * {@code <data>/control.json}, which the node writes owner-only when it starts and removes when it
 * stops.
 */
final class ControlClient {

    static final String FILE_NAME = "control.json";

    /** A failure with the message for the user and the exit status it maps to. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitStatus;

        Failure(int exitStatus, String message) {
            super(message);
            this.exitStatus = exitStatus;
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ControlClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Reads {@code <data>/control.json}; no file means no node runs on that data directory. */
    static ControlClient forDataDirectory(Path data) throws Failure {
        Path file = data.resolve(FILE_NAME);
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new Failure(Cli.NO_NODE, "no node is running with data directory " + data + " (no " + file
                    + "); start one with: hyphae start --data " + data);
        } catch (IOException e) {
            throw new Failure(Cli.NO_NODE, "cannot read " + file + ": " + e.getMessage());
        }
        try {
            JsonObject o = JsonParser.parseString(text).getAsJsonObject();
            return new ControlClient(URI.create(o.get("url").getAsString()), o.get("token").getAsString());
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException
                | IllegalArgumentException e) {
            throw new Failure(Cli.NO_NODE, file + " is not a node's control file (" + e.getMessage()
                    + "); restart the node to rewrite it");
        }
    }

    /** A request answered by one JSON object. */
    JsonObject call(String command, JsonObject body) throws Failure {
        HttpResponse<InputStream> response = send(command, body);
        try (InputStream in = response.body()) {
            JsonObject answer = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            check(response.statusCode(), answer);
            return answer;
        } catch (IOException e) {
            throw new Failure(Cli.FAILED, "the node stopped answering: " + e.getMessage());
        }
    }

    /**
     * A request answered by a stream of events, each given to {@code onEvent} as it comes.
     *
     * @return the last event ({@code done}); an {@code error} event throws
     */
    JsonObject stream(String command, JsonObject body, Consumer<JsonObject> onEvent) throws Failure {
        HttpResponse<InputStream> response = send(command, body);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                StringBuilder all = new StringBuilder();
                for (String l; (l = lines.readLine()) != null;) {
                    all.append(l);
                }
                check(response.statusCode(), parse(all.toString()));
            }
            for (String line; (line = lines.readLine()) != null;) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject event = parse(line);
                String kind = event.has("event") ? event.get("event").getAsString() : "";
                if (kind.equals("error")) {
                    throw new Failure(Cli.FAILED, event.get("error").getAsString());
                }
                onEvent.accept(event);
                if (kind.equals("done")) {
                    return event;
                }
            }
            throw new Failure(Cli.FAILED, "the node ended the answer before the command finished (did it stop?)");
        } catch (IOException e) {
            throw new Failure(Cli.FAILED, "the node stopped answering: " + e.getMessage());
        }
    }

    private HttpResponse<InputStream> send(String command, JsonObject body) throws Failure {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(command))
                .header("Authorization", "Bearer " + token);
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new Failure(Cli.NO_NODE, "no node answers at " + base + " (the node is not running; its "
                    + FILE_NAME + " is left from an earlier run)");
        } catch (IOException e) {
            throw new Failure(Cli.NO_NODE, "cannot reach the node at " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Cli.FAILED, "interrupted");
        }
    }

    private static JsonObject parse(String text) throws Failure {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (e.isJsonObject()) {
                return e.getAsJsonObject();
            }
        } catch (JsonParseException ignored) {
            // reported below
        }
        throw new Failure(Cli.FAILED, "the node answered something that is not JSON: "
                + (text.length() > 200 ? text.substring(0, 200) + "..." : text));
    }

    /** 4xx refusals of the input are the user's (exit 2); the rest are the node's failures (exit 1). */
    private static void check(int status, JsonObject answer) throws Failure {
        if (status == 200) {
            return;
        }
        String reason = answer.has("error") ? answer.get("error").getAsString() : "HTTP " + status;
        int exit = status == 400 || status == 404 || status == 413 || status == 415 ? Cli.BAD_INPUT : Cli.FAILED;
        throw new Failure(exit, reason);
    }
}
