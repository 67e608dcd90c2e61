package org.hyphae.discovery.mdns.internal;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The DNS messages of libp2p's mDNS discovery (libp2p/specs discovery/mdns.md), built and read
 * with dnsjava. A query asks {@code _p2p._udp.local PTR}. A response answers
 * {@code _p2p._udp.local PTR <peer-name>._p2p._udp.local} and carries, per address, a TXT record
 * {@code <peer-name>._p2p._udp.local TXT "dnsaddr=<multiaddr>/p2p/<peer id>"}; the spec puts them
 * in the additional records and js-libp2p in the answers, so both are read. The peer name is
 * random (32 to 63 letters and digits) so that it does not leak the peer id into DNS-SD browsers.
 */
final class MdnsMessages {

    /** The service name of the spec. */
    static final String SERVICE = "_p2p._udp.local";
    /** A TXT character-string holds at most 255 bytes (RFC 6763 6.1). */
    static final int MAX_TXT = 255;
    private static final String DNSADDR = "dnsaddr=";
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    /** A peer found in a response, and what in it was dropped. */
    record Found(PeerId peer, String peerName, List<Multiaddr> addresses, long ttlSeconds, List<String> problems) {
    }

    private MdnsMessages() {
    }

    static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + text + " (" + e.getMessage() + ")", e);
        }
    }

    /** A new random peer name, as the spec asks: 32 to 63 characters, letters and digits. */
    static String randomPeerName(SecureRandom random) {
        int length = 32 + random.nextInt(32);
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /** The {@code <service> PTR} question. */
    static byte[] query(Name service) {
        Message m = new Message(0);
        m.addRecord(Record.newRecord(service, Type.PTR, DClass.IN), Section.QUESTION);
        return m.toWire();
    }

    /** Whether a message is a query this node should answer: a question for the service, PTR or ANY. */
    static boolean asksFor(Message m, Name service) {
        if (m.getHeader().getFlag(Flags.QR)) {
            return false;
        }
        for (Record q : m.getSection(Section.QUESTION)) {
            if (q.getName().equals(service) && (q.getType() == Type.PTR || q.getType() == Type.ANY)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The response announcing this node.
     *
     * @param dnsaddrs multiaddrs ending in {@code /p2p/<id>}; those whose TXT string would pass 255
     *     bytes are left out
     * @param maxBytes the largest message to build; addresses that do not fit are left out
     */
    static byte[] response(Name service, String peerName, List<Multiaddr> dnsaddrs, long ttlSeconds, int maxBytes) {
        Name instance = name(peerName + "." + service);
        Message m = new Message(0);
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(new PTRRecord(service, DClass.IN, ttlSeconds, instance), Section.ANSWER);
        for (Multiaddr a : dnsaddrs) {
            String text = DNSADDR + a;
            if (text.length() > MAX_TXT) {
                continue;
            }
            TXTRecord txt = new TXTRecord(instance, DClass.IN, ttlSeconds, text);
            m.addRecord(txt, Section.ADDITIONAL);
            if (m.toWire().length > maxBytes) {
                m.removeRecord(txt, Section.ADDITIONAL);
                break;
            }
        }
        return m.toWire();
    }

    /** Parses a datagram. */
    static Message parse(byte[] data, int length) throws IOException {
        byte[] copy = new byte[length];
        System.arraycopy(data, 0, copy, 0, length);
        return new Message(copy);
    }

    /**
     * Reads the peers a response announces: for each {@code <service> PTR <instance>} answer, the
     * TXT records of that instance. Every {@code dnsaddr=} address must name the same peer with
     * {@code /p2p}; others are dropped, as are addresses that do not parse, and those past
     * {@code maxAddresses}. Instances named {@code ownName} (this node's own echo) are skipped.
     */
    static List<Found> peersIn(Message m, Name service, String ownName, int maxAddresses) {
        if (!m.getHeader().getFlag(Flags.QR)) {
            return List.of();
        }
        Map<Name, Long> instances = new LinkedHashMap<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof PTRRecord ptr && ptr.getName().equals(service)) {
                instances.putIfAbsent(ptr.getTarget(), ptr.getTTL());
            }
        }
        List<Found> out = new ArrayList<>();
        for (Map.Entry<Name, Long> instance : instances.entrySet()) {
            Name target = instance.getKey();
            String peerName = target.getLabelString(0);
            if (peerName.equalsIgnoreCase(ownName)) {
                continue;
            }
            List<String> txts = new ArrayList<>();
            for (int section : new int[] {Section.ANSWER, Section.ADDITIONAL}) {
                for (Record r : m.getSection(section)) {
                    if (r instanceof TXTRecord txt && txt.getName().equals(target)) {
                        txts.addAll(txt.getStrings());
                    }
                }
            }
            found(peerName, txts, instance.getValue(), maxAddresses).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<Found> found(String peerName, List<String> txts, long ttl, int maxAddresses) {
        PeerId peer = null;
        List<Multiaddr> addresses = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int over = 0;
        for (String s : txts) {
            if (!s.startsWith(DNSADDR)) {
                continue;
            }
            String text = s.substring(DNSADDR.length()).trim();
            Multiaddr a;
            try {
                a = Multiaddr.parse(text);
            } catch (RuntimeException e) {
                problems.add("dnsaddr " + quote(text) + " does not parse: " + e.getMessage());
                continue;
            }
            Optional<PeerId> id = a.peerId();
            if (id.isEmpty()) {
                problems.add("dnsaddr " + a + " has no /p2p/<peer id>");
                continue;
            }
            if (peer == null) {
                peer = id.get();
            } else if (!peer.equals(id.get())) {
                problems.add("dnsaddr " + a + " names another peer than " + peer);
                continue;
            }
            Multiaddr bare = a.withoutPeerId();
            if (addresses.contains(bare)) {
                continue;
            }
            if (addresses.size() >= maxAddresses) {
                over++;
                continue;
            }
            addresses.add(bare);
        }
        if (over > 0) {
            problems.add(over + " addresses over the limit of " + maxAddresses);
        }
        if (peer == null) {
            if (problems.isEmpty()) {
                problems.add("no dnsaddr= TXT record");
            }
            return Optional.of(new Found(null, peerName, List.of(), ttl, problems));
        }
        return Optional.of(new Found(peer, peerName, addresses, ttl, problems));
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
    }
}
