package org.hyphae.discovery.dialer.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.hyphae.discovery.PeerRecord;
import org.hyphae.discovery.PeerStore;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Keeps the node near its target degree. Every {@code intervalSeconds}, if fewer than {@code low}
 * peers are connected, it dials peers from the {@link PeerStore} until {@code target} would be
 * reached: best score first, then lowest latency, then most recently seen; never a peer scored
 * under {@code minScore}, one already connected or being dialled. A peer's addresses are tried in
 * turn; a failing address waits (exponential backoff) and after {@code maxAddressFailures} failures
 * in a row it is removed from the store. A peer seen connected in the last
 * {@code reconnectGraceSeconds} is not redialled: whoever closed that connection, or the host
 * reconnecting over another transport, is not fought. Above the high mark the host trims; this
 * only dials.
 */
@Component(service = TargetDegreeDialer.class, immediate = true, configurationPid = TargetDegreeDialer.PID)
@Designate(ocd = DialerConfig.class)
public final class TargetDegreeDialer {

    public static final String PID = "org.hyphae.discovery.dialer";
    private static final System.Logger LOG = System.getLogger(TargetDegreeDialer.class.getName());

    private final Host host;
    private final PeerStore store;
    private final ScheduledExecutorService timer;
    private final AddressBackoff backoff = new AddressBackoff();
    private final Set<PeerId> dialling = ConcurrentHashMap.newKeySet();
    /** When each peer was last seen connected by a round (timer thread only). */
    private final java.util.Map<PeerId, Long> lastConnected = new java.util.HashMap<>();
    private final AtomicLong dials = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private volatile DialerConfig config;
    private ScheduledFuture<?> task;

    @Activate
    public TargetDegreeDialer(@Reference Host host, @Reference PeerStore store, DialerConfig config) {
        this.host = host;
        this.store = store;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyphae-dialer");
            t.setDaemon(true);
            return t;
        });
        configure(config);
    }

    @Modified
    synchronized void configure(DialerConfig c) {
        if (c.low() > c.target()) {
            LOG.log(System.Logger.Level.WARNING, "dialer: low " + c.low() + " is above target " + c.target()
                    + "; dialling up to " + c.low());
        }
        config = c;
        if (task != null) {
            task.cancel(false);
        }
        long every = Math.max(1, c.intervalSeconds());
        task = timer.scheduleWithFixedDelay(this::roundSafely, every, every, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    /** Dial attempts, failed attempts, and addresses removed from the store, so far. */
    public long[] counters() {
        return new long[] {dials.get(), failures.get(), removed.get()};
    }

    /** One check now; completes when its dials have finished (for the tests and the shell). */
    public CompletionStage<Integer> roundNow() {
        CompletableFuture<CompletionStage<Integer>> started = new CompletableFuture<>();
        timer.execute(() -> started.complete(round()));
        return started.thenCompose(s -> s);
    }

    private void roundSafely() {
        try {
            round();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "dialer round failed: " + e, e);
        }
    }

    /** Starts the dials this round needs; completes with how many peers were connected by them. */
    private CompletionStage<Integer> round() {
        DialerConfig c = config;
        Set<PeerId> connected = new HashSet<>();
        long now = System.currentTimeMillis();
        for (Connection conn : host.connections()) {
            connected.add(conn.remotePeer());
            lastConnected.put(conn.remotePeer(), now);
        }
        long grace = TimeUnit.SECONDS.toMillis(Math.max(0, c.reconnectGraceSeconds()));
        lastConnected.values().removeIf(t -> now - t >= grace);
        if (connected.size() >= c.low()) {
            return CompletableFuture.completedFuture(0);
        }
        int want = Math.max(c.low(), c.target()) - connected.size() - dialling.size();
        int slots = Math.min(want, Math.max(1, c.maxConcurrentDials()) - dialling.size());
        if (slots <= 0) {
            return CompletableFuture.completedFuture(0);
        }
        List<PeerRecord> candidates = new ArrayList<>();
        for (PeerRecord r : store.peers()) {
            if (r.score() < c.minScore() || connected.contains(r.peer()) || dialling.contains(r.peer())
                    || r.peer().equals(host.localPeer()) || lastConnected.containsKey(r.peer())) {
                continue;
            }
            if (r.addresses().stream().anyMatch(a -> backoff.ready(a.address(), now))) {
                candidates.add(r);
            }
        }
        candidates.sort(Comparator.comparingDouble(PeerRecord::score).reversed()
                .thenComparing(r -> r.latency().map(d -> d.toNanos()).orElse(Long.MAX_VALUE))
                .thenComparing(PeerRecord::lastSeen, Comparator.reverseOrder()));
        List<CompletableFuture<Boolean>> started = new ArrayList<>();
        for (PeerRecord r : candidates.subList(0, Math.min(slots, candidates.size()))) {
            dialling.add(r.peer());
            List<Multiaddr> addrs = r.addresses().stream().map(PeerRecord.AddressRecord::address)
                    .filter(a -> backoff.ready(a, now)).toList();
            CompletableFuture<Boolean> done = new CompletableFuture<>();
            dial(r.peer(), addrs, 0, c, done);
            done.whenComplete((ok, e) -> dialling.remove(r.peer()));
            started.add(done);
        }
        if (!started.isEmpty()) {
            LOG.log(System.Logger.Level.DEBUG, "dialer: " + connected.size() + " peers connected (low " + c.low()
                    + ", target " + c.target() + "); dialling " + started.size());
        }
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                .thenApply(v -> (int) started.stream().filter(f -> f.join()).count());
    }

    /** Tries the addresses in turn; completes with whether one connected. */
    private void dial(PeerId peer, List<Multiaddr> addrs, int index, DialerConfig c, CompletableFuture<Boolean> done) {
        if (index >= addrs.size()) {
            done.complete(false);
            return;
        }
        Multiaddr address = addrs.get(index);
        dials.incrementAndGet();
        CompletionStage<Connection> attempt;
        try {
            attempt = host.connect(address.withPeerId(peer));
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        attempt.whenComplete((conn, e) -> {
            if (e == null) {
                backoff.succeeded(address);
                done.complete(true);
                return;
            }
            failures.incrementAndGet();
            int inARow = backoff.failed(address, System.currentTimeMillis(),
                    TimeUnit.SECONDS.toMillis(Math.max(1, c.backoffSeconds())),
                    TimeUnit.SECONDS.toMillis(Math.max(1, c.maxBackoffSeconds())));
            if (inARow >= c.maxAddressFailures()) {
                if (store.removeAddress(peer, address)) {
                    removed.incrementAndGet();
                    LOG.log(System.Logger.Level.INFO, "dialer: removed " + address + " of " + peer + " from the peer store after "
                            + inARow + " failed dials; last: " + rootMessage(e));
                }
                backoff.forget(address);
            }
            dial(peer, addrs, index + 1, c, done);
        });
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t != t.getCause()) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
