package org.hyphae.discovery.mdns.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.discovery.PeerDiscovery;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.MultiaddrProtocol;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;

/**
 * The {@code mdns} discovery source: a responder and a querier per the libp2p mDNS spec. It sends
 * the {@code _p2p._udp.local PTR} query at start and every {@code queryIntervalSeconds}, answers
 * queries (its own too, so peers that only listen see it) with its private, loopback and
 * link-local addresses as {@code dnsaddr=} TXT records, and remembers the peers that responses
 * announce until their records' time to live runs out. Everything read from the network is
 * bounded: datagrams over 9000 bytes, messages that do not parse, addresses that do not parse or
 * name another peer are dropped, counted and logged (once a minute per sender); at most
 * {@code maxPeers} peers with {@code maxAddressesPerPeer} addresses each are kept.
 */
@Component(service = {PeerDiscovery.class, MdnsDiscovery.class}, configurationPid = MdnsDiscovery.PID,
        property = PeerDiscovery.SOURCE_PROPERTY + "=mdns")
@Designate(ocd = MdnsConfig.class)
public final class MdnsDiscovery implements PeerDiscovery {

    public static final String PID = "org.hyphae.discovery.mdns";
    private static final System.Logger LOG = System.getLogger(MdnsDiscovery.class.getName());
    /** A response this node sends stays under a typical Ethernet MTU. */
    private static final int MAX_RESPONSE = 1400;
    private static final long REPORT_INTERVAL_MILLIS = 60_000;

    private record Entry(PeerAddresses peer, long expires) {
    }

    private final Host host;
    private final String peerName;
    private final ScheduledExecutorService timer;
    private final Map<PeerId, Entry> found = new LinkedHashMap<>();
    private final Map<InetAddress, Long> lastReport = new HashMap<>();
    private final AtomicLong rejected = new AtomicLong();
    private volatile MdnsConfig config;
    private volatile Name service;
    private volatile MdnsSocket socket;
    private volatile long lastResponseNanos;
    private ScheduledFuture<?> queries;

    @Activate
    public MdnsDiscovery(@Reference Host host, MdnsConfig config) {
        this.host = host;
        this.peerName = MdnsMessages.randomPeerName(new SecureRandom());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyphae-mdns");
            t.setDaemon(true);
            return t;
        });
        configure(config);
    }

    @Modified
    synchronized void configure(MdnsConfig c) {
        config = c;
        if (queries != null) {
            queries.cancel(false);
            queries = null;
        }
        closeSocket();
        if (!c.enabled()) {
            LOG.log(System.Logger.Level.INFO, "mDNS discovery is off (" + PID + " enabled=false)");
            return;
        }
        try {
            service = MdnsMessages.name(c.serviceName());
            socket = new MdnsSocket(InetAddress.getByName(c.group()), c.port(), Set.of(c.interfaces()), this::received);
            LOG.log(System.Logger.Level.INFO, "mDNS on " + c.group() + ":" + c.port() + " over " + socket.interfaceNames()
                    + " as " + peerName + "." + c.serviceName());
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "mDNS discovery could not start: " + e.getMessage());
            return;
        }
        queries = timer.scheduleWithFixedDelay(this::query, 0, Math.max(1, c.queryIntervalSeconds()), TimeUnit.SECONDS);
    }

    @Deactivate
    synchronized void deactivate() {
        timer.shutdownNow();
        closeSocket();
    }

    private void closeSocket() {
        MdnsSocket s = socket;
        socket = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public List<PeerAddresses> peers() {
        long now = System.currentTimeMillis();
        synchronized (found) {
            found.values().removeIf(e -> e.expires() <= now);
            return found.values().stream().map(Entry::peer).toList();
        }
    }

    /** The random name this node answers as (first label of its instance name). */
    public String peerName() {
        return peerName;
    }

    /** How many datagrams, records or addresses from the network were dropped so far. */
    public long rejected() {
        return rejected.get();
    }

    /** Sends a query now (the shell and tests). */
    public void query() {
        MdnsSocket s = socket;
        if (s != null) {
            s.send(MdnsMessages.query(service));
        }
    }

    /** What this node announces: its listen addresses (0.0.0.0 expanded) that are private, with /p2p. */
    List<Multiaddr> announced(MdnsSocket s) {
        List<Multiaddr> out = new ArrayList<>();
        for (Multiaddr a : host.listenAddresses()) {
            List<Multiaddr.Component> parts = a.components();
            if (parts.isEmpty() || parts.get(0).protocol() != MultiaddrProtocol.IP4) {
                continue;
            }
            byte[] ip = parts.get(0).value();
            if ((ip[0] | ip[1] | ip[2] | ip[3]) == 0) {
                for (InetAddress local : s.addresses()) {
                    List<Multiaddr.Component> copy = new ArrayList<>(parts);
                    copy.set(0, Multiaddr.Component.of(MultiaddrProtocol.IP4, local.getHostAddress()));
                    add(out, Multiaddr.of(copy));
                }
            } else {
                add(out, a);
            }
        }
        return out;
    }

    private void add(List<Multiaddr> out, Multiaddr a) {
        byte[] ip = a.components().get(0).value();
        if (config.announcePublic() || isPrivate(ip)) {
            Multiaddr full = a.withPeerId(host.localPeer());
            if (!out.contains(full)) {
                out.add(full);
            }
        }
    }

    /** Loopback, RFC 1918, link-local, shared (CGNAT) and the documentation ranges. */
    static boolean isPrivate(byte[] ip) {
        int a = ip[0] & 0xff;
        int b = ip[1] & 0xff;
        int c = ip[2] & 0xff;
        return a == 127 || a == 10 || (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168)
                || (a == 169 && b == 254) || (a == 100 && b >= 64 && b < 128)
                || (a == 192 && b == 0 && c == 2) || (a == 198 && (b == 18 || b == 19));
    }

    private void received(byte[] data, InetSocketAddress from) {
        MdnsConfig c = config;
        if (data.length > MdnsSocket.MAX_MESSAGE) {
            report(from, "a datagram of more than " + MdnsSocket.MAX_MESSAGE + " bytes");
            return;
        }
        Message m;
        try {
            m = MdnsMessages.parse(data, data.length);
        } catch (IOException | RuntimeException e) {
            report(from, "a message that does not parse as DNS (" + e.getMessage() + ")");
            return;
        }
        Name svc = service;
        if (MdnsMessages.asksFor(m, svc)) {
            respond();
            return;
        }
        for (MdnsMessages.Found f : MdnsMessages.peersIn(m, svc, peerName, Math.max(1, c.maxAddressesPerPeer()))) {
            if (!f.problems().isEmpty()) {
                report(from, "from peer name " + f.peerName() + ": " + String.join("; ", f.problems()));
            }
            if (f.peer() == null || f.peer().equals(host.localPeer())) {
                continue;
            }
            long ttl = Math.min(Math.max(f.ttlSeconds(), 2L * c.queryIntervalSeconds()), 3600);
            remember(new PeerAddresses(f.peer(), f.addresses()), System.currentTimeMillis() + ttl * 1000, c);
        }
    }

    private void remember(PeerAddresses p, long expires, MdnsConfig c) {
        boolean fresh;
        synchronized (found) {
            fresh = !found.containsKey(p.peer());
            if (fresh && found.size() >= Math.max(1, c.maxPeers())) {
                long now = System.currentTimeMillis();
                found.values().removeIf(e -> e.expires() <= now);
                if (found.size() >= c.maxPeers()) {
                    PeerId first = found.entrySet().stream()
                            .min(Comparator.comparingLong((Map.Entry<PeerId, Entry> e) -> e.getValue().expires()))
                            .orElseThrow().getKey();
                    found.remove(first);
                    rejected.incrementAndGet();
                }
            }
            found.put(p.peer(), new Entry(p, expires));
        }
        if (fresh) {
            LOG.log(System.Logger.Level.INFO, "mDNS found " + p.peer() + " at " + p.addresses());
        }
    }

    private void respond() {
        MdnsSocket s = socket;
        if (s == null) {
            return;
        }
        // RFC 6762 6: not the same records more often than once a second, however many ask.
        long now = System.nanoTime();
        if (now - lastResponseNanos < 1_000_000_000L) {
            return;
        }
        lastResponseNanos = now;
        List<Multiaddr> addrs = announced(s);
        if (addrs.isEmpty()) {
            return;
        }
        s.send(MdnsMessages.response(service, peerName, addrs, config.ttlSeconds(), MAX_RESPONSE));
    }

    private void report(InetSocketAddress from, String what) {
        rejected.incrementAndGet();
        long now = System.currentTimeMillis();
        boolean say;
        synchronized (lastReport) {
            Long last = lastReport.get(from.getAddress());
            say = last == null || now - last > REPORT_INTERVAL_MILLIS;
            if (say) {
                if (lastReport.size() > 1024) {
                    lastReport.clear();
                }
                lastReport.put(from.getAddress(), now);
            }
        }
        if (say) {
            LOG.log(System.Logger.Level.WARNING, "mDNS: dropped " + what + " from " + from
                    + " (" + rejected.get() + " dropped so far; said once a minute per sender)");
        }
    }
}
