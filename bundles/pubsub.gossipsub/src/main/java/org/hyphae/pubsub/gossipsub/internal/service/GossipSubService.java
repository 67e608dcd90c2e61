package org.hyphae.pubsub.gossipsub.internal.service;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.pubsub.MessageHandler;
import org.hyphae.pubsub.PubSub;
import org.hyphae.pubsub.Subscription;
import org.hyphae.pubsub.TopicValidator;
import org.hyphae.pubsub.gossipsub.internal.GossipRouter;
import org.hyphae.transport.Host;
import org.hyphae.transport.ConnectionListener;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The {@link PubSub} service and the pubsub {@link ProtocolHandler}: a {@link GossipRouter} wired by
 * DS. The host is a dynamic, greedy, optional reference (read on each use: a host swap does not
 * restart the router, and without a host the node still delivers its own messages locally); topic
 * validators are a dynamic whiteboard keyed by their {@value TopicValidator#TOPIC_PROPERTY}
 * property. A configuration change reconfigures the running router. As a connection listener it
 * opens the pubsub stream to a peer as soon as identify describes it (the heartbeat also looks).
 */
@Component(service = {PubSub.class, ProtocolHandler.class, ConnectionListener.class}, configurationPid = GossipSubService.PID,
        property = {
            ProtocolHandler.PROTOCOL_PROPERTY + "=" + GossipRouter.MESHSUB_12,
            ProtocolHandler.PROTOCOL_PROPERTY + "=" + GossipRouter.MESHSUB_11,
            ProtocolHandler.PROTOCOL_PROPERTY + "=" + GossipRouter.MESHSUB_10,
            ProtocolHandler.PROTOCOL_PROPERTY + "=" + GossipRouter.FLOODSUB})
@Designate(ocd = GossipSubConfig.class)
public final class GossipSubService implements PubSub, ProtocolHandler, ConnectionListener {

    static final String PID = "org.hyphae.pubsub.gossipsub";
    private static final System.Logger LOG = System.getLogger(GossipSubService.class.getName());

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Host host;

    @Reference
    private Identity identity;

    private final Map<String, List<TopicValidator>> validators = new ConcurrentHashMap<>();
    private volatile GossipRouter router;

    @Activate
    void activate(GossipSubConfig config) {
        router = new GossipRouter(() -> host, identity, ConfigMapping.routerParams(config),
                ConfigMapping.scoreParams(config), topic -> validators.getOrDefault(topic, List.of()),
                System::nanoTime).start();
    }

    @Modified
    void modified(GossipSubConfig config) {
        try {
            router.reconfigure(ConfigMapping.routerParams(config), ConfigMapping.scoreParams(config));
        } catch (IllegalArgumentException e) {
            // A bad edit of the .cfg file must not take pubsub down: keep the parameters in force.
            LOG.log(System.Logger.Level.ERROR, "configuration " + PID + " ignored, the previous one stays in force: "
                    + e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        router.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addValidator(TopicValidator validator, Map<String, Object> properties) {
        for (String topic : topics(properties.get(TopicValidator.TOPIC_PROPERTY))) {
            validators.computeIfAbsent(topic, k -> new CopyOnWriteArrayList<>()).add(validator);
        }
    }

    void removeValidator(TopicValidator validator, Map<String, Object> properties) {
        for (List<TopicValidator> list : validators.values()) {
            list.remove(validator);
        }
        validators.values().removeIf(List::isEmpty);
    }

    private static List<String> topics(Object property) {
        if (property instanceof String s) {
            return List.of(s);
        }
        if (property instanceof String[] a) {
            return List.of(a);
        }
        if (property instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    /** The router, for the shell commands. */
    GossipRouter router() {
        return router;
    }

    @Override
    public void handle(Stream stream) {
        router.handleInbound(stream);
    }

    @Override
    public void identified(PeerInfo info) {
        GossipRouter r = router;
        if (r != null) {
            r.peerIdentified(info.peer());
        }
    }

    @Override
    public Subscription subscribe(String topic, MessageHandler handler) {
        return router.subscribe(topic, handler);
    }

    @Override
    public void unsubscribe(String topic) {
        router.unsubscribe(topic);
    }

    @Override
    public CompletionStage<PublishResult> publish(String topic, byte[] data) {
        return router.publish(topic, data);
    }

    /** The router's counters, for {@link GossipMetrics}. */
    GossipRouter.Stats routerStats() {
        return router.stats();
    }

    @Override
    public Set<String> topics() {
        return router.topics();
    }

    @Override
    public Set<PeerId> peers(String topic) {
        return router.peers(topic);
    }
}
