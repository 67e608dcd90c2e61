package com.example.hyphae.chat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.hyphae.identity.PeerId;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code chat:*} shell commands: {@code send}, {@code inbox}, {@code join}, {@code say},
 * {@code leave}, {@code rooms}. Plain methods with {@code osgi.command.*} properties: Gogo finds
 * them without this bundle importing any shell package.
 */
@Component(service = ChatCommands.class, property = {
        "osgi.command.scope=chat",
        "osgi.command.function=send",
        "osgi.command.function=inbox",
        "osgi.command.function=join",
        "osgi.command.function=say",
        "osgi.command.function=leave",
        "osgi.command.function=rooms"})
public final class ChatCommands {

    private static final long WAIT_SECONDS = 15;

    @Reference
    private DirectChat direct;

    /** Rooms need pubsub; direct messages work without it (a seed node has none). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ChatRooms rooms;

    /** {@code chat:send <peer id> <text...>}: a direct message to a connected peer. */
    public String send(String peer, String... words) {
        PeerId to;
        try {
            to = PeerId.parse(peer);
        } catch (IllegalArgumentException e) {
            return "not a peer id: " + peer + " (" + e.getMessage() + ")";
        }
        try {
            String answer = direct.send(to, String.join(" ", words)).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            return answer.equals("ok") ? "delivered to " + to : "not delivered to " + to + ": " + answer;
        } catch (IllegalArgumentException e) {
            return "not sent: " + e.getMessage();
        } catch (Exception e) {
            return "not delivered to " + to + ": " + DirectChat.rootMessage(e);
        }
    }

    /** {@code chat:inbox}: the direct messages received, oldest first. */
    public String inbox() {
        List<String> messages = direct.inbox();
        return messages.isEmpty() ? "no messages" : String.join("\n", messages);
    }

    /** {@code chat:join <room>}. */
    public String join(String room) {
        ChatRooms r = rooms;
        if (r == null) {
            return "rooms need pubsub, and this node has none";
        }
        try {
            return r.join(room) ? "joined #" + room : "already in #" + room;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** {@code chat:say <room> <text...>}. */
    public String say(String room, String... words) {
        ChatRooms r = rooms;
        if (r == null) {
            return "rooms need pubsub, and this node has none";
        }
        try {
            int peers = r.say(room, String.join(" ", words)).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
            return "said in #" + room + " to " + peers + " peer(s)";
        } catch (IllegalArgumentException e) {
            return "not sent: " + e.getMessage();
        } catch (Exception e) {
            return "not sent: " + DirectChat.rootMessage(e);
        }
    }

    /** {@code chat:leave <room>}. */
    public String leave(String room) {
        ChatRooms r = rooms;
        if (r == null) {
            return "rooms need pubsub, and this node has none";
        }
        return r.leave(room) ? "left #" + room : "not in #" + room;
    }

    /** {@code chat:rooms}: the rooms joined. */
    public String rooms() {
        ChatRooms r = rooms;
        if (r == null) {
            return "rooms need pubsub, and this node has none";
        }
        List<String> names = r.rooms();
        return names.isEmpty() ? "no rooms (chat:join <room>)" : "#" + String.join(" #", names);
    }
}
