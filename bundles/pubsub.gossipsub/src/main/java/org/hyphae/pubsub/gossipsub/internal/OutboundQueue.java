package org.hyphae.pubsub.gossipsub.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

import org.hyphae.multiformats.Varint;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Control;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Graft;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IHave;
import org.hyphae.pubsub.gossipsub.internal.Rpc.IWant;
import org.hyphae.pubsub.gossipsub.internal.Rpc.Prune;
import org.hyphae.pubsub.gossipsub.internal.Rpc.SubOpts;
import org.hyphae.pubsub.gossipsub.internal.Rpc.WireMessage;
import org.hyphae.transport.Stream;
import org.hyphae.transport.streamio.AsyncLoop;

/**
 * What goes out to one peer: the control and messages the current router task produced (sent
 * together at the end of the task, as one RPC for the control and one per message), then the
 * framed bytes waiting for the stream, written one batch at a time. The bytes queued are bounded:
 * beyond the bound messages are dropped for this peer (it reads too slowly), control never is.
 * Router thread only.
 */
final class OutboundQueue {

    /** Largest single write: smaller frames queued behind each other are joined up to this. */
    private static final int MAX_WRITE = 256 * 1024;

    final List<SubOpts> subs = new ArrayList<>();
    final List<WireMessage> messages = new ArrayList<>();
    final List<IHave> ihave = new ArrayList<>();
    final List<MessageId> iwant = new ArrayList<>();
    final List<Graft> graft = new ArrayList<>();
    final List<Prune> prune = new ArrayList<>();
    final List<MessageId> idontwant = new ArrayList<>();

    private final ArrayDeque<ByteBuffer> frames = new ArrayDeque<>();
    private long queuedBytes;
    private boolean writing;

    boolean hasPending() {
        return !subs.isEmpty() || !messages.isEmpty() || !ihave.isEmpty() || !iwant.isEmpty() || !graft.isEmpty()
                || !prune.isEmpty() || !idontwant.isEmpty();
    }

    void clearPending() {
        subs.clear();
        messages.clear();
        ihave.clear();
        iwant.clear();
        graft.clear();
        prune.clear();
        idontwant.clear();
    }

    /** Forgets everything, written or not (the stream is gone). */
    void clear() {
        clearPending();
        frames.clear();
        queuedBytes = 0;
        writing = false;
    }

    /**
     * Frames what is pending. A message going to several peers in one task is framed once: the
     * peers share the read-only bytes in {@code framed}.
     *
     * @param meshsub whether the peer takes control messages (floodsub peers get messages only)
     * @return how many messages were dropped because the queue was full
     */
    int frame(boolean meshsub, Map<WireMessage, byte[]> framed, long maxQueuedBytes) {
        Control control = null;
        if (meshsub) {
            List<IWant> want = iwant.isEmpty() ? List.of() : List.of(new IWant(List.copyOf(iwant)));
            List<IWant> dontWant = idontwant.isEmpty() ? List.of() : List.of(new IWant(List.copyOf(idontwant)));
            control = new Control(List.copyOf(ihave), want, List.copyOf(graft), List.copyOf(prune), dontWant);
        }
        Rpc head = new Rpc(List.copyOf(subs), List.of(), control);
        List<WireMessage> msgs = List.copyOf(messages);
        clearPending();
        if (!head.isEmpty()) {
            enqueue(frame(head.encode()));
        }
        int dropped = 0;
        for (WireMessage m : msgs) {
            // One RPC per message keeps every RPC under the 1 MiB go-libp2p reads.
            byte[] f = framed.computeIfAbsent(m, k -> frame(Rpc.ofMessages(List.of(k)).encode()));
            if (queuedBytes + f.length > maxQueuedBytes) {
                dropped++;
                continue;
            }
            enqueue(f);
        }
        return dropped;
    }

    private void enqueue(byte[] frame) {
        frames.add(ByteBuffer.wrap(frame));
        queuedBytes += frame.length;
    }

    static byte[] frame(byte[] body) {
        byte[] out = new byte[Varint.encodedLength(body.length) + body.length];
        ByteBuffer b = ByteBuffer.wrap(out);
        Varint.writeTo(body.length, b);
        b.put(body);
        return out;
    }

    /**
     * Starts writing the queued frames to the peer's outbound stream unless a write is under way:
     * the frames queued so far go as one write, and when it completes (back on {@code routerThread})
     * the next batch follows. {@code failed} is told if the stream fails.
     */
    void pump(RouterPeer peer, Executor routerThread, BiConsumer<Stream, String> failed) {
        Stream stream = peer.out;
        if (writing || frames.isEmpty() || stream == null) {
            return;
        }
        ByteBuffer head = frames.poll();
        ByteBuffer out;
        if (frames.isEmpty() || head.remaining() >= MAX_WRITE) {
            out = head;
        } else {
            int total = head.remaining();
            List<ByteBuffer> parts = new ArrayList<>();
            parts.add(head);
            while (!frames.isEmpty() && total + frames.peek().remaining() <= MAX_WRITE) {
                ByteBuffer b = frames.poll();
                total += b.remaining();
                parts.add(b);
            }
            out = ByteBuffer.allocate(total);
            for (ByteBuffer b : parts) {
                out.put(b);
            }
            out.flip();
        }
        int n = out.remaining();
        writing = true;
        stream.write(out).whenComplete((v, e) -> routerThread.execute(() -> {
            if (peer.out != stream) {
                return; // the stream was replaced or closed meanwhile
            }
            writing = false;
            queuedBytes -= n;
            if (e != null) {
                failed.accept(stream, AsyncLoop.unwrap(e).toString());
                return;
            }
            pump(peer, routerThread, failed);
        }));
    }
}
