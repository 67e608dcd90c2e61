package org.hyphae.tests.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.discovery.PeerDiscovery;
import org.hyphae.discovery.PeerStore;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The peer store, mDNS and the dialer wired in the node: the store is a service, every discovery
 * source (bootstrap, kad, mdns) is registered for it to read, the dialer runs, and
 * {@code hyphae:peerstore} shows what the API put in (and what it refused).
 */
class PeerDiscoveryInFrameworkTest {

    @Test
    void theBundlesWireUp(@InjectBundleContext BundleContext context, @InjectService PeerStore store,
            @InjectService Host host, @InjectService CommandProcessor shell) throws Exception {
        Set<String> sources = new HashSet<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!sources.containsAll(List.of("bootstrap", "kad", "mdns")) && System.currentTimeMillis() < deadline) {
            for (ServiceReference<PeerDiscovery> r : context.getServiceReferences(PeerDiscovery.class, null)) {
                sources.add(String.valueOf(r.getProperty(PeerDiscovery.SOURCE_PROPERTY)));
            }
            Thread.sleep(200);
        }
        assertTrue(sources.containsAll(List.of("bootstrap", "kad", "mdns")), sources.toString());
        assertTrue(context.getServiceReferences("org.hyphae.discovery.dialer.internal.TargetDegreeDialer", null) != null,
                "the dialer component is active");

        PeerId peer = PeerId.parse("12D3KooWDSerVtwDvUVLQg6viTc6egoa1fxNvKnZFLNgfs79g4MA");
        int kept = store.addAddresses(peer, List.of(Multiaddr.parse("/ip4/10.7.7.7/tcp/4001"),
                Multiaddr.parse("/ip4/0.0.0.0/tcp/4001")), PeerStore.SOURCE_MANUAL, Duration.ofMinutes(5));
        assertEquals(1, kept, "the unspecified address is refused");
        store.penalize(peer, 3, "in-framework test");
        String one = NodeBundlesTest.run(shell, "hyphae:peerstore " + peer);
        assertTrue(one.contains("ADDR /ip4/10.7.7.7/tcp/4001 from manual"), one);
        assertTrue(one.contains("SCORE -3.00") || one.contains("SCORE -2.99"), one);
        String all = NodeBundlesTest.run(shell, "hyphae:peerstore");
        assertTrue(all.contains("PEER " + peer), all);
        assertTrue(all.matches("(?s)PEERSTORE \\d+ peers.*addresses rejected [1-9].*"), all);
        assertTrue(store.get(host.localPeer()).isEmpty(), "the node never stores itself");
        assertTrue(store.remove(peer));
    }
}
