package org.hyphae.exchange.bitswap.internal;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Stream;
import org.hyphae.transport.streamio.AsyncLoop;
import org.hyphae.transport.streamio.LengthPrefixed;
import org.hyphae.transport.streamio.StreamReader;
import org.hyphae.transport.testkit.MemoryNode;

/**
 * A Bitswap peer that misbehaves on purpose: it decodes what it is sent and answers with whatever
 * the script returns, on a stream of its own, as a real peer would.
 */
final class ScriptedPeer {

    final MemoryNode node;
    final AtomicInteger wantBlocksSeen = new AtomicInteger();
    final AtomicInteger wantHavesSeen = new AtomicInteger();
    /** Sends the blocks of a reply as one message each, one after the other on one stream. */
    volatile boolean blockPerMessage;
    /** Each read of an inbound stream waits for this: an incomplete one holds the sender back. */
    volatile CompletableFuture<Void> reading = CompletableFuture.completedFuture(null);
    private final Function<BitswapMessage, BitswapMessage> script;

    ScriptedPeer(MemoryNode node, Function<BitswapMessage, BitswapMessage> script) {
        this.node = node;
        this.script = script;
        for (String p : Bitswap.PROTOCOLS) {
            node.handle(p, this::handle);
        }
    }

    private void handle(Stream stream) {
        PeerId from = stream.remotePeer();
        stream.closeWrite();
        StreamReader reader = new StreamReader(stream);
        AsyncLoop.<Boolean>run(() -> reading.thenCompose(v -> reader.readLengthPrefixed(8 << 20)).thenApply(body -> {
            if (body.isEmpty()) {
                return Optional.of(true);
            }
            try {
                BitswapMessage m = BitswapMessage.decode(body.get(), 100_000);
                for (BitswapMessage.Entry e : m.entries()) {
                    if (!e.cancel()) {
                        (e.wantHave() ? wantHavesSeen : wantBlocksSeen).incrementAndGet();
                    }
                }
                BitswapMessage reply = script.apply(m);
                if (reply != null && !reply.isEmpty()) {
                    send(from, frames(reply));
                }
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
            return Optional.<Boolean>empty();
        }));
    }

    /** The reply as one message, or (with {@link #blockPerMessage}) one message per block, in one write. */
    private byte[] frames(BitswapMessage reply) {
        if (!blockPerMessage || reply.blocks().size() < 2) {
            return LengthPrefixed.frame(reply.encode(Bitswap.PROTOCOL_120)).array();
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (BitswapMessage.Block b : reply.blocks()) {
            out.writeBytes(LengthPrefixed.frame(BitswapMessage.of(List.of(), List.of(b), List.of()).encode(Bitswap.PROTOCOL_120)).array());
        }
        return out.toByteArray();
    }

    /** Writes raw bytes on a new Bitswap stream to {@code peer}. */
    CompletableFuture<Stream> send(PeerId peer, byte[] raw) {
        return node.newStream(peer, List.of(Bitswap.PROTOCOL_120)).thenCompose(s -> s.write(java.nio.ByteBuffer.wrap(raw))
                .thenApply(v -> s)).toCompletableFuture();
    }
}
