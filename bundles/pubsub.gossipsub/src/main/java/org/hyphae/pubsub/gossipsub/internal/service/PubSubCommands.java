package org.hyphae.pubsub.gossipsub.internal.service;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.hyphae.identity.PeerId;
import org.hyphae.pubsub.PubSub;
import org.hyphae.pubsub.Subscription;
import org.hyphae.pubsub.gossipsub.internal.GossipRouter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code hyphae:pub}, {@code hyphae:sub}, {@code hyphae:unsub}, {@code hyphae:topics} and
 * {@code hyphae:pubsub} (router counters and peer scores).
 *
 * <p>Immediate: Gogo gets and ungets a command service around every call, which would deactivate a
 * delayed component after each command and close the subscriptions {@code hyphae:sub} made.
 */
@Component(service = PubSubCommands.class, immediate = true, property = {
        "osgi.command.scope=hyphae",
        "osgi.command.function=pub",
        "osgi.command.function=sub",
        "osgi.command.function=unsub",
        "osgi.command.function=topics",
        "osgi.command.function=pubsub",
        "osgi.command.function=pubbench"})
public final class PubSubCommands {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final int MAX_SHOWN = 160;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PubSub pubsub;

    /** The shell's own subscriptions, so {@code unsub} ends only those. */
    private final Map<String, Subscription> shellSubscriptions = new ConcurrentHashMap<>();

    @Deactivate
    void deactivate() {
        shellSubscriptions.values().forEach(Subscription::close);
        shellSubscriptions.clear();
    }

    @Descriptor("publish a text message on a topic")
    public String pub(@Descriptor("topic") String topic, @Descriptor("text (the rest of the line)") String... words)
            throws Exception {
        PubSub ps = current();
        String text = String.join(" ", words);
        PubSub.PublishResult r = ps.publish(topic, text.getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return "published " + r.message().size() + " bytes on " + topic + " to " + r.peers() + " peer(s), id "
                + r.message().idHex();
    }

    @Descriptor("subscribe to a topic and print its messages as they come (hyphae:unsub to stop)")
    public String sub(CommandSession session, @Descriptor("topic") String topic) {
        PubSub ps = current();
        if (shellSubscriptions.containsKey(topic)) {
            return "already subscribed to " + topic;
        }
        PrintStream console = session.getConsole();
        Subscription s = ps.subscribe(topic, m -> {
            String text = m.dataAsString();
            if (text.length() > MAX_SHOWN) {
                text = text.substring(0, MAX_SHOWN) + "... (" + m.size() + " bytes)";
            }
            console.println("[" + LocalTime.now().format(TIME) + "] " + m.topic() + " from "
                    + m.from().map(PeerId::toString).orElse("?") + ": " + text);
            console.flush();
        });
        shellSubscriptions.put(topic, s);
        return "subscribed to " + topic + "; messages print here as they come (hyphae:unsub " + topic + " to stop)";
    }

    @Descriptor("stop printing a topic's messages and leave it if nothing else is subscribed")
    public String unsub(@Descriptor("topic") String topic) {
        Subscription s = shellSubscriptions.remove(topic);
        if (s == null) {
            return "the shell is not subscribed to " + topic;
        }
        s.close();
        return "unsubscribed from " + topic;
    }

    @Descriptor("list subscribed topics and the peers known on each")
    public String topics() {
        PubSub ps = current();
        Set<String> topics = ps.topics();
        if (topics.isEmpty()) {
            return "no topics (hyphae:sub <topic> subscribes)";
        }
        StringBuilder out = new StringBuilder();
        for (String t : topics.stream().sorted().toList()) {
            Set<PeerId> peers = ps.peers(t);
            out.append(t).append("  ").append(peers.size()).append(" peer(s)");
            for (PeerId p : peers) {
                out.append("\n  ").append(p);
            }
            out.append('\n');
        }
        return out.toString().stripTrailing();
    }

    @Descriptor("load test: publish <count> messages of <size> bytes at <rate>/s, each starting \"b-<n>-<epoch ms>-\" "
            + "(n from <first>), in the background")
    public String pubbench(@Descriptor("topic") String topic, @Descriptor("count") int count,
            @Descriptor("messages per second") int rate, @Descriptor("size in bytes") int size,
            @Descriptor("number of the first message") int first) {
        PubSub ps = current();
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            for (int k = 0; k < count; k++) {
                long wait = start + k * 1_000_000_000L / Math.max(1, rate) - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                StringBuilder text = new StringBuilder("b-" + (first + k) + "-" + System.currentTimeMillis() + "-");
                while (text.length() < size) {
                    text.append('x');
                }
                ps.publish(topic, text.toString().getBytes(StandardCharsets.UTF_8));
            }
        }, "hyphae-pubbench");
        t.setDaemon(true);
        t.start();
        return "publishing " + count + " x " + size + " B on " + topic + " at " + rate + "/s";
    }

    @Descriptor("show the router's counters, its pubsub peers with their protocol, and their scores")
    public String pubsub() throws Exception {
        PubSub ps = current();
        if (!(ps instanceof GossipSubService g)) {
            return "the PubSub service is " + ps.getClass().getName() + ", not GossipSub: no router details";
        }
        GossipRouter router = g.router();
        StringBuilder out = new StringBuilder();
        out.append(router.stats()).append('\n');
        Map<PeerId, String> peers = router.connectedPeers().get(5, TimeUnit.SECONDS);
        out.append(peers.size()).append(" pubsub peer(s)");
        peers.forEach((p, proto) -> out.append("\n  ").append(p).append("  ").append(proto));
        out.append("\nscores:");
        for (String line : router.describeScores().get(5, TimeUnit.SECONDS)) {
            out.append("\n  ").append(line);
        }
        return out.toString();
    }

    private PubSub current() {
        PubSub ps = pubsub;
        if (ps == null) {
            throw new IllegalStateException("no PubSub service: the pubsub.gossipsub bundle is not active (see hyphae:status)");
        }
        return ps;
    }
}
