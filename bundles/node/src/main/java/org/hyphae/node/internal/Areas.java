package org.hyphae.node.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** The areas of a node and the service contract that stands for each, in display order. */
final class Areas {

    /** Area name to contract interface name. Names, not classes: an area may have no bundle yet. */
    static final Map<String, String> CONTRACTS = contracts();

    private Areas() {}

    private static Map<String, String> contracts() {
        Map<String, String> contracts = new LinkedHashMap<>();
        contracts.put("identity", "org.hyphae.identity.Identity");
        contracts.put("transport", "org.hyphae.transport.Transport");
        contracts.put("host", "org.hyphae.transport.Host");
        contracts.put("discovery", "org.hyphae.discovery.PeerDiscovery");
        contracts.put("blocks", "org.hyphae.storage.BlockStore");
        contracts.put("datastore", "org.hyphae.storage.Datastore");
        contracts.put("pubsub", "org.hyphae.pubsub.PubSub");
        contracts.put("ledger", "org.hyphae.ledger.Ledger");
        contracts.put("consensus", "org.hyphae.consensus.ConsensusEngine");
        contracts.put("files", "org.hyphae.files.FileSharing");
        return java.util.Collections.unmodifiableMap(contracts);
    }
}
