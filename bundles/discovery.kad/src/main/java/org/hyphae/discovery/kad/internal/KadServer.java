package org.hyphae.discovery.kad.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import com.google.protobuf.InvalidProtocolBufferException;

import org.hyphae.discovery.InvalidRecordException;
import org.hyphae.discovery.PeerAddresses;
import org.hyphae.identity.PeerId;
import org.hyphae.storage.StorageException;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.PeerInfo;
import org.hyphae.transport.Stream;
import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.LengthPrefixed;
import org.hyphae.transport.streamio.StreamReader;

/**
 * The server side of {@code /ipfs/kad/1.0.0}: one request/response exchange per message, any number
 * per stream. A peer that sends a malformed or oversized request, or a record that fails its
 * validator, has its stream reset and is penalized.
 */
final class KadServer {

    private static final System.Logger LOG = System.getLogger(KadServer.class.getName());

    private final KadDht dht;

    KadServer(KadDht dht) {
        this.dht = dht;
    }

    void handle(Stream stream) {
        PeerId from = stream.remotePeer();
        dht.noticeServer(from);
        StreamReader reader = new StreamReader(stream);
        AsyncLoop.<Boolean>run(() -> reader.readLengthPrefixed(KadDht.MAX_MESSAGE).thenCompose(body -> {
            if (body.isEmpty()) {
                return stream.closeWrite().thenApply(v -> Optional.of(true));
            }
            // Off the I/O thread: answering may write to the datastore, which syncs to disk.
            return CompletableFuture.supplyAsync(() -> {
                KadMessage request;
                try {
                    request = KadMessage.decode(body.get());
                } catch (InvalidProtocolBufferException e) {
                    throw new CompletionException(new KadProtocolViolation(
                            reader.context() + ": malformed kad request: " + e.getMessage(), e));
                }
                return Optional.ofNullable(answer(from, request));
            }, dht.executor()).thenCompose(response -> response.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<Boolean>empty())
                    : stream.write(LengthPrefixed.frame(response.get().encode())).thenApply(v -> Optional.<Boolean>empty()));
        })).whenComplete((v, e) -> {
            if (e != null) {
                Throwable cause = AsyncLoop.unwrap(e);
                if (KadProtocolViolation.isPeersFault(cause)) {
                    dht.countBadMessage();
                    dht.penalize(from, cause.getMessage());
                }
                LOG.log(System.Logger.Level.DEBUG, "kad stream from " + from + " ended: " + cause.getMessage());
                stream.reset();
            }
        });
    }

    /** The answer to one request, or null if the request has none (ADD_PROVIDER). */
    KadMessage answer(PeerId from, KadMessage request) {
        long now = dht.now();
        byte[] key = request.key();
        RecordStore store = dht.store();
        switch (request.type()) {
            case PING:
                return KadMessage.request(KadMessage.Type.PING, new byte[0]);
            case FIND_NODE:
                return new KadMessage(KadMessage.Type.FIND_NODE, key, null, closerPeers(key, from), List.of());
            case GET_VALUE: {
                KadMessage.Record record = store.getValue(key, now)
                        .map(v -> new KadMessage.Record(v.key(), v.value(), v.timeReceived())).orElse(null);
                return new KadMessage(KadMessage.Type.GET_VALUE, key, record, closerPeers(key, from), List.of());
            }
            case PUT_VALUE: {
                KadMessage.Record r = request.record();
                if (r == null || !Arrays.equals(r.key(), key)) {
                    throw new CompletionException(
                            new KadProtocolViolation("PUT_VALUE from " + from + " without a record for its key"));
                }
                if (dht.validatorFor(key) == null) {
                    // Not the peer's fault: this node just has no validator for that namespace.
                    throw new CompletionException(new IOException("PUT_VALUE from " + from + " refused: no record validator for "
                            + RecordKeys.printable(key)));
                }
                try {
                    dht.validate(r.key(), r.value());
                } catch (InvalidRecordException e) {
                    throw new CompletionException(new KadProtocolViolation("PUT_VALUE from " + from + " of "
                            + RecordKeys.printable(key) + " refused: " + e.getMessage(), e));
                }
                try {
                    store.putValue(r.key(), r.value(), RecordKeys.rfc3339(now), now + KadDht.RECORD_TTL_MS);
                } catch (StorageException e) {
                    throw new CompletionException(new IOException("PUT_VALUE from " + from + " not stored: " + e.getMessage(), e));
                }
                return request;
            }
            case GET_PROVIDERS: {
                List<KadMessage.Peer> providers = new ArrayList<>();
                for (RecordStore.Provider p : store.providers(key, now)) {
                    List<Multiaddr> addrs = p.addresses();
                    if (p.peer().equals(dht.localPeer())) {
                        addrs = dht.host().listenAddresses();
                    }
                    providers.add(dht.toWire(p.peer(), addrs));
                }
                return new KadMessage(KadMessage.Type.GET_PROVIDERS, key, null, closerPeers(key, from), providers);
            }
            case ADD_PROVIDER: {
                for (KadMessage.Peer p : request.providerPeers()) {
                    if (!Arrays.equals(p.id(), from.bytes())) {
                        // Only a peer can announce itself (spec): others' ids are ignored.
                        continue;
                    }
                    try {
                        List<Multiaddr> addrs = dht.decodeAddresses(p.addrs());
                        if (addrs.isEmpty()) {
                            addrs = dht.host().peerInfo(from).map(PeerInfo::listenAddresses).orElse(List.of());
                        }
                        store.addProvider(key, from, addrs, now + KadDht.PROVIDER_TTL_MS);
                    } catch (StorageException e) {
                        LOG.log(System.Logger.Level.WARNING, "could not store provider record from " + from, e);
                    }
                }
                return null;
            }
            default:
                throw new IllegalStateException("unreachable");
        }
    }

    private List<KadMessage.Peer> closerPeers(byte[] key, PeerId requester) {
        List<KadMessage.Peer> out = new ArrayList<>();
        int k = dht.settings().k();
        for (PeerAddresses p : dht.routingTable().closest(KadKey.of(key), k + 1)) {
            if (!p.peer().equals(requester) && out.size() < k) {
                out.add(dht.toWire(p.peer(), p.addresses()));
            }
        }
        return out;
    }
}
