package com.example.hyphae.chat;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

import org.hyphae.pubsub.Message;
import org.hyphae.pubsub.PubSub;
import org.hyphae.pubsub.Subscription;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Chat rooms: each room is the pubsub topic {@code /hyphae-example/chat/room/<name>}. Joining
 * subscribes and prints the room's messages on the node's console; messages that are not chat
 * text (see {@link ChatText}) are dropped with a note. Leaving, or stopping the bundle, ends the
 * subscriptions. (A pubsub {@code TopicValidator} would also penalise their senders, but its topic
 * list is a service property, and changing one at runtime needs the framework API, which this
 * example does without.)
 */
@Component(service = ChatRooms.class)
public final class ChatRooms {

    static final String TOPIC_PREFIX = "/hyphae-example/chat/room/";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PubSub pubsub;
    private final Map<String, Subscription> joined = new TreeMap<>();

    /** @param pubsub the node's pubsub */
    @Activate
    public ChatRooms(@Reference PubSub pubsub) {
        this.pubsub = pubsub;
    }

    @Deactivate
    void deactivate() {
        synchronized (joined) {
            joined.values().forEach(Subscription::close);
            joined.clear();
        }
    }

    /** The topic of a room, or why the name is not a room name. */
    static String topic(String room) {
        if (!room.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("room names are 1 to 64 letters, digits, '_' or '-'; got \"" + room + "\"");
        }
        return TOPIC_PREFIX + room;
    }

    /** Joins a room; false if already in it. */
    public boolean join(String room) {
        String topic = topic(room);
        synchronized (joined) {
            if (joined.containsKey(room)) {
                return false;
            }
            joined.put(room, pubsub.subscribe(topic, message -> print(room, message)));
            return true;
        }
    }

    /** Leaves a room; false if not in it. */
    public boolean leave(String room) {
        synchronized (joined) {
            Subscription s = joined.remove(room);
            if (s == null) {
                return false;
            }
            s.close();
            return true;
        }
    }

    /** The rooms joined, by name. */
    public List<String> rooms() {
        synchronized (joined) {
            return List.copyOf(joined.keySet());
        }
    }

    /** Says something in a room (joined or not); completes with how many peers it went to. */
    public CompletionStage<Integer> say(String room, String text) {
        return pubsub.publish(topic(room), ChatText.encode(text)).thenApply(PubSub.PublishResult::peers);
    }

    private static void print(String room, Message message) {
        String from = message.from().map(Object::toString).orElse("?");
        String text;
        try {
            text = ChatText.decode(message.data());
        } catch (IllegalArgumentException notChat) {
            System.out.println("[chat #" + room + "] dropped a message from " + from + ": " + notChat.getMessage());
            return;
        }
        System.out.println("[chat #" + room + "] [" + LocalTime.now().format(TIME) + "] " + from + ": " + text);
    }
}
