package org.hyphae.host.internal.yamux;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Stream payload bytes in and out per negotiated protocol, over every yamux session of this
 * bundle, for the metrics endpoint. Bytes before a stream's protocol is agreed (multistream-select
 * itself) count under {@value #NEGOTIATING}. Protocol ids come only from negotiation, which picks
 * ids this node serves or asked for, so the map stays small.
 */
public final class ProtocolTraffic {

    /** The label of bytes that flow before a protocol is agreed. */
    public static final String NEGOTIATING = "(negotiating)";

    /** Totals of one protocol. */
    public record Totals(long received, long sent) {}

    private static final Map<String, LongAdder[]> BY_PROTOCOL = new ConcurrentHashMap<>();

    private ProtocolTraffic() {}

    static void received(String protocol, int bytes) {
        adders(protocol)[0].add(bytes);
    }

    static void sent(String protocol, int bytes) {
        adders(protocol)[1].add(bytes);
    }

    private static LongAdder[] adders(String protocol) {
        return BY_PROTOCOL.computeIfAbsent(protocol == null ? NEGOTIATING : protocol,
                p -> new LongAdder[] {new LongAdder(), new LongAdder()});
    }

    /** A copy of the totals so far, by protocol. */
    public static Map<String, Totals> snapshot() {
        Map<String, Totals> out = new java.util.TreeMap<>();
        BY_PROTOCOL.forEach((p, a) -> out.put(p, new Totals(a[0].sum(), a[1].sum())));
        return out;
    }
}
