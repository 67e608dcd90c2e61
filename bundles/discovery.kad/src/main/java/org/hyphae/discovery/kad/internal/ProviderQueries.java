package org.hyphae.discovery.kad.internal;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.identity.PeerId;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Multiaddr;

/**
 * The client side of provider records (kad-dht spec, "Content routing"): ADD_PROVIDER to the
 * {@code k} closest peers, republished every 22 h, and GET_PROVIDERS lookups that stop once enough
 * providers are known.
 */
final class ProviderQueries {

    private final KadDht dht;
    /** Keys this node provides (multihash bytes, as hex) and when they were last announced. */
    private final Map<String, Long> provided = new ConcurrentHashMap<>();

    ProviderQueries(KadDht dht) {
        this.dht = dht;
    }

    CompletionStage<Void> provide(byte[] multihash) {
        long now = dht.now();
        try {
            dht.store().addProvider(multihash, dht.host().localPeer(), List.of(), now + KadDht.PROVIDER_TTL_MS);
        } catch (StorageException e) {
            return CompletableFuture.failedFuture(e);
        }
        provided.put(HexFormat.of().formatHex(multihash), now);
        return dht.closestPeers(multihash).thenCompose(peers -> {
            KadMessage msg = new KadMessage(KadMessage.Type.ADD_PROVIDER, multihash, null, List.of(),
                    List.of(dht.toWire(dht.host().localPeer(), dht.host().listenAddresses())));
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (PeerAddresses p : peers) {
                sends.add(dht.request(p.peer(), msg, false).toCompletableFuture().exceptionally(e -> Optional.empty()));
            }
            return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
        });
    }

    /** Announces again every key provided more than {@link KadDht#PROVIDER_REPUBLISH_MS} ago. */
    void republish() {
        long now = dht.now();
        for (Map.Entry<String, Long> e : provided.entrySet()) {
            if (now - e.getValue() >= KadDht.PROVIDER_REPUBLISH_MS) {
                provide(HexFormat.of().parseHex(e.getKey()));
            }
        }
        dht.store().expire(now);
    }

    CompletionStage<List<PeerAddresses>> find(byte[] multihash, int max) {
        Map<PeerId, PeerAddresses> found = new LinkedHashMap<>();
        for (RecordStore.Provider p : dht.store().providers(multihash, dht.now())) {
            List<Multiaddr> addrs = p.peer().equals(dht.host().localPeer()) ? dht.host().listenAddresses() : p.addresses();
            found.put(p.peer(), new PeerAddresses(p.peer(), addrs));
        }
        if (found.size() >= max) {
            return CompletableFuture.completedFuture(new ArrayList<>(found.values()).subList(0, max));
        }
        return dht.lookup(multihash, KadMessage.request(KadMessage.Type.GET_PROVIDERS, multihash), (from, m) -> {
            synchronized (found) {
                for (KadMessage.Peer p : m.providerPeers()) {
                    dht.peerIdOf(from, p.id()).ifPresent(id -> found.putIfAbsent(id, new PeerAddresses(id, dht.decodeAddresses(p.addrs()))));
                }
                return found.size() >= max;
            }
        }).thenApply(x -> {
            synchronized (found) {
                List<PeerAddresses> out = new ArrayList<>(found.values());
                return out.size() > max ? out.subList(0, max) : out;
            }
        });
    }
}
