package com.example.hyphae.chat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Host;
import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.Stream;
import org.hyphae.transport.streamio.LengthPrefixed;
import org.hyphae.transport.streamio.StreamReader;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Direct messages over {@value #PROTOCOL}: the sender opens a stream, writes one
 * length-prefixed message and closes its side; the receiver answers one length-prefixed
 * {@code ok} or {@code error: <reason>} and closes. Received messages are kept in a small inbox
 * and printed on the node's console.
 *
 * <p>Registering this {@link ProtocolHandler} is all it takes for the host to serve the protocol
 * and announce it to connected peers (identify push); stopping the bundle withdraws it.
 */
@Component(service = {ProtocolHandler.class, DirectChat.class},
        property = ProtocolHandler.PROTOCOL_PROPERTY + "=" + DirectChat.PROTOCOL)
public final class DirectChat implements ProtocolHandler {

    /** The protocol id. */
    public static final String PROTOCOL = "/hyphae-example/chat/1.0.0";

    static final int INBOX_SIZE = 100;
    private static final long TIMEOUT_SECONDS = 10;
    private static final int MAX_REPLY = 256;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Host host;
    private final Deque<String> inbox = new ArrayDeque<>();

    /** @param host the node's swarm, to open streams to peers */
    @Activate
    public DirectChat(@Reference Host host) {
        this.host = host;
    }

    @Override
    public void handle(Stream stream) {
        StreamReader reader = new StreamReader(stream);
        reader.readLengthPrefixed(ChatText.MAX_BYTES).thenCompose(message -> {
            if (message.isEmpty()) {
                return reply(stream, "error: no message before the end of the stream");
            }
            String text;
            try {
                text = ChatText.decode(message.get());
            } catch (IllegalArgumentException bad) {
                return reply(stream, "error: " + bad.getMessage());
            }
            receive(stream.remotePeer(), text);
            return reply(stream, "ok");
        }).whenComplete((v, error) -> {
            if (error != null) {
                // Oversized or truncated frames end here: the stream is reset, nothing is kept.
                System.out.println("[chat] refused a message from " + stream.remotePeer() + ": " + rootMessage(error));
                stream.reset();
            }
        });
    }

    private static CompletionStage<Void> reply(Stream stream, String answer) {
        return stream.write(LengthPrefixed.frame(answer.getBytes(StandardCharsets.UTF_8)))
                .thenCompose(v -> stream.closeWrite());
    }

    private void receive(PeerId from, String text) {
        String line = "[" + LocalTime.now().format(TIME) + "] " + from + ": " + text;
        synchronized (inbox) {
            if (inbox.size() == INBOX_SIZE) {
                inbox.removeFirst();
            }
            inbox.addLast(line);
        }
        System.out.println("[chat] " + line);
    }

    /**
     * Sends one message to a connected peer.
     *
     * @return completes with the peer's answer ({@code ok}), or exceptionally with why not
     */
    public CompletionStage<String> send(PeerId peer, String text) {
        byte[] bytes = ChatText.encode(text);
        return host.newStream(peer, List.of(PROTOCOL)).thenCompose(stream -> {
            StreamReader reader = new StreamReader(stream);
            return stream.write(LengthPrefixed.frame(bytes))
                    .thenCompose(v -> stream.closeWrite())
                    .thenCompose(v -> reader.readLengthPrefixed(MAX_REPLY))
                    .thenApply(answer -> answer.map(b -> new String(b, StandardCharsets.UTF_8))
                            .orElse("error: " + peer + " closed the stream without an answer"))
                    .whenComplete((answer, error) -> {
                        if (error != null) {
                            stream.reset();
                        }
                    });
        }).toCompletableFuture().orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The received messages, oldest first (at most {@value #INBOX_SIZE}). */
    public List<String> inbox() {
        synchronized (inbox) {
            return List.copyOf(inbox);
        }
    }

    static String rootMessage(Throwable error) {
        Throwable t = error;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof IOException || t.getMessage() != null ? String.valueOf(t.getMessage()) : t.toString();
    }

    static <T> CompletableFuture<T> failed(String message) {
        return CompletableFuture.failedFuture(new IOException(message));
    }
}
