package org.hyphae.tests.framework;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.pubsub.Message;
import org.hyphae.pubsub.PubSub;
import org.hyphae.pubsub.Subscription;
import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/** GossipSub wired in the node: a subscription gets what this node publishes; the shell lists it. */
class PubSubInFrameworkTest {

    @Test
    void publishReachesThisNodesOwnSubscription(@InjectService PubSub pubsub, @InjectService CommandProcessor shell)
            throws Exception {
        CompletableFuture<Message> received = new CompletableFuture<>();
        try (Subscription subscription = pubsub.subscribe("hyphae-test", received::complete)) {
            byte[] data = "hello, mesh".getBytes(StandardCharsets.UTF_8);
            pubsub.publish("hyphae-test", data).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertArrayEquals(data, received.get(10, TimeUnit.SECONDS).data());
            assertTrue(NodeBundlesTest.run(shell, "hyphae:topics").contains("hyphae-test"));
        }
    }
}
