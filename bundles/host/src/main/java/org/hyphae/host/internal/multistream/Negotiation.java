package org.hyphae.host.internal.multistream;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The multistream-select 1.0 state machine of one side, free of any I/O so that the connection
 * handler ({@link MultistreamHandler}) and the per-stream negotiation ({@link StreamNegotiation})
 * share it. Feed it the peer's messages; send what it returns.
 *
 * <p>The initiator sends the header and its first proposal together (as go- and js-libp2p do),
 * then one proposal per {@code na}. The responder sends its header at once and answers each
 * proposal with the protocol (selected) or {@code na}.
 */
public abstract class Negotiation {

    /** Most proposals a responder answers before it gives up on the peer. */
    public static final int MAX_PROPOSALS = 64;

    private boolean headerSeen;
    private boolean done;
    private String selected;

    private Negotiation() {
    }

    /** The initiator's side, proposing {@code protocols} in order. */
    public static Negotiation initiator(List<String> protocols) {
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("no protocols to propose");
        }
        return new Initiator(List.copyOf(protocols));
    }

    /** The responder's side, selecting the first proposal that {@code supported} accepts. */
    public static Negotiation responder(Predicate<String> supported) {
        return new Responder(supported);
    }

    /** The messages to send first. */
    public abstract List<String> start();

    /**
     * Handles one message from the peer.
     *
     * @return the messages to send in reply (possibly none)
     * @throws MultistreamException if the message breaks the protocol
     */
    public final List<String> onMessage(String message) throws MultistreamException {
        if (done) {
            throw new MultistreamException("message after the negotiation ended: " + message);
        }
        if (!headerSeen) {
            if (!MultistreamMessages.PROTOCOL_ID.equals(message)) {
                throw new MultistreamException("expected the header " + MultistreamMessages.PROTOCOL_ID + ", got \""
                        + printable(message) + "\"");
            }
            headerSeen = true;
            return List.of();
        }
        return afterHeader(message);
    }

    abstract List<String> afterHeader(String message) throws MultistreamException;

    /** Whether the negotiation has ended, with a protocol or (initiator) with every proposal refused. */
    public final boolean isDone() {
        return done;
    }

    /** The agreed protocol once {@link #isDone()}; empty if the peer refused every proposal. */
    public final Optional<String> selected() {
        return Optional.ofNullable(selected);
    }

    final void finish(String protocol) {
        done = true;
        selected = protocol;
    }

    static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        StringBuilder b = new StringBuilder(cut.length());
        for (char c : cut.toCharArray()) {
            b.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    private static final class Initiator extends Negotiation {
        private final List<String> protocols;
        private int next;

        Initiator(List<String> protocols) {
            this.protocols = protocols;
        }

        @Override
        public List<String> start() {
            return List.of(MultistreamMessages.PROTOCOL_ID, protocols.get(next));
        }

        @Override
        List<String> afterHeader(String message) throws MultistreamException {
            String proposed = protocols.get(next);
            if (message.equals(proposed)) {
                finish(proposed);
                return List.of();
            }
            if (!MultistreamMessages.NA.equals(message)) {
                throw new MultistreamException("proposed " + proposed + ", got neither it nor na but \""
                        + printable(message) + "\"");
            }
            next++;
            if (next == protocols.size()) {
                finish(null);
                return List.of();
            }
            return List.of(protocols.get(next));
        }
    }

    private static final class Responder extends Negotiation {
        private final Predicate<String> supported;
        private int proposals;

        Responder(Predicate<String> supported) {
            this.supported = supported;
        }

        @Override
        public List<String> start() {
            return List.of(MultistreamMessages.PROTOCOL_ID);
        }

        @Override
        List<String> afterHeader(String message) throws MultistreamException {
            if (++proposals > MAX_PROPOSALS) {
                throw new MultistreamException("peer made more than " + MAX_PROPOSALS + " proposals");
            }
            if (!MultistreamMessages.LS.equals(message) && supported.test(message)) {
                finish(message);
                return List.of(message);
            }
            return List.of(MultistreamMessages.NA);
        }
    }
}
