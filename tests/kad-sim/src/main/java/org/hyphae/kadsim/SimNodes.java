package org.hyphae.kadsim;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.hyphae.discovery.kad.internal.KadDht;
import org.hyphae.discovery.kad.internal.PublicKeyValidator;
import org.hyphae.discovery.kad.internal.RecordStore;
import org.hyphae.host.internal.swarm.StandaloneHost;
import org.hyphae.identity.PeerId;
import org.hyphae.transport.Multiaddr;
import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.tcp.internal.TcpTransport;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The DHT nodes of one JVM: each a real {@link org.hyphae.transport.Host} (TCP on 127.0.0.1,
 * Noise, yamux, identify) with a {@link KadDht} serving {@code /ipfs/kad/1.0.0}. They share one TCP
 * transport (one set of Netty event loops), one executor for DHT steps, and one Felix framework
 * whose service registry holds their protocol handlers.
 */
public final class SimNodes implements AutoCloseable {

    /** One node. */
    public static final class Node {
        final StandaloneHost host;
        final KadDht dht;
        final ServiceRegistration<ProtocolHandler> handler;
        volatile boolean stopped;

        Node(StandaloneHost host, KadDht dht, ServiceRegistration<ProtocolHandler> handler) {
            this.host = host;
            this.dht = dht;
            this.handler = handler;
        }

        public PeerId peer() {
            return host.host().localPeer();
        }

        public KadDht dht() {
            return dht;
        }

        /** The node's TCP address with its {@code /p2p/} id. */
        public Multiaddr address() {
            return host.host().listenAddresses().get(0).withPeerId(peer());
        }
    }

    /** Settings of every node. */
    public record Settings(KadDht.Settings kad, StandaloneHost.Limits limits, int ioThreads, int dhtThreads) {
        public static Settings defaults() {
            return new Settings(new KadDht.Settings(20, 3, 15_000, false, KadDht.DEFAULT_QUORUM),
                    new StandaloneHost.Limits(48, 64, 256, 256, 30), 2, 4);
        }
    }

    private final Settings settings;
    private final Framework framework;
    private final Path frameworkDir;
    private final TcpTransport tcp;
    private final ExecutorService dhtExecutor;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();

    public SimNodes(Settings settings) throws IOException, BundleException {
        this.settings = settings;
        frameworkDir = Files.createTempDirectory("kadsim-felix");
        Map<String, String> props = new HashMap<>();
        props.put("org.osgi.framework.storage", frameworkDir.toString());
        props.put("org.osgi.framework.storage.clean", "onFirstInit");
        framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path")).newFramework(props);
        framework.init();
        framework.start();
        tcp = new TcpTransport(tcpConfig(settings.ioThreads()));
        AtomicInteger n = new AtomicInteger();
        dhtExecutor = Executors.newFixedThreadPool(settings.dhtThreads(), r -> {
            Thread t = new Thread(r, "kadsim-dht-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private BundleContext context() {
        return framework.getBundleContext();
    }

    /** Starts one node listening on a free port of 127.0.0.1 (not yet bootstrapped). */
    public Node start() {
        KeyPairIdentity identity = KeyPairIdentity.generate();
        StandaloneHost host = new StandaloneHost(context(), identity, new HostTransport(tcp), "tcp", settings.limits(),
                "/ip4/127.0.0.1/tcp/0");
        KadDht dht = new KadDht(host.host(), settings.kad(), new RecordStore(() -> null),
                ns -> "pk".equals(ns) ? new PublicKeyValidator() : null, dhtExecutor, System::currentTimeMillis);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(ProtocolHandler.PROTOCOL_PROPERTY, KadDht.PROTOCOL);
        props.put("kadsim.peer", identity.peerId().toString());
        ServiceRegistration<ProtocolHandler> reg = context().registerService(ProtocolHandler.class, dht::handle, props);
        host.bind(reg.getReference());
        Node node = new Node(host, dht, reg);
        nodes.add(node);
        return node;
    }

    /** Stops a node: its handler leaves the registry, its listener and connections close. */
    public void stop(Node node) {
        node.stopped = true;
        nodes.remove(node);
        node.handler.unregister();
        node.host.stop();
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /**
     * Bootstraps nodes from seeds, at most {@code concurrency} at once: each contacts the seeds and
     * refreshes its buckets.
     *
     * @return how many bootstraps failed
     */
    public int bootstrap(List<Node> which, List<Multiaddr> seeds, int concurrency, Random random) throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Node node : which) {
            slots.acquire();
            List<Multiaddr> mine = new ArrayList<>(seeds);
            mine.removeIf(a -> a.peerId().orElseThrow().equals(node.peer()));
            java.util.Collections.shuffle(mine, random);
            all.add(node.dht.bootstrap(mine.subList(0, Math.min(3, mine.size()))).toCompletableFuture()
                    .orTimeout(5, TimeUnit.MINUTES)
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                        }
                        int done = finished.incrementAndGet();
                        if (done % 50 == 0) {
                            System.err.println("bootstrapped " + done + " of " + which.size());
                        }
                        slots.release();
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((r, e) -> null).join();
        return failed.get();
    }

    /** One refresh of every bucket of every node (as the periodic refresh would), {@code concurrency} at once. */
    public void refreshAll(int concurrency) throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Node node : nodes) {
            slots.acquire();
            all.add(node.dht.refresh().toCompletableFuture().orTimeout(5, TimeUnit.MINUTES)
                    .whenComplete((r, e) -> slots.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((r, e) -> null).join();
    }

    /** Open connections over all nodes (each counted at both ends if both are here). */
    public int connections() {
        int n = 0;
        for (Node node : nodes) {
            n += node.host.host().connections().size();
        }
        return n;
    }

    @Override
    public void close() {
        for (Node node : nodes()) {
            try {
                stop(node);
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        dhtExecutor.shutdownNow();
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static TcpTransport.Config tcpConfig(int threads) {
        return new TcpTransport.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return TcpTransport.Config.class;
            }

            @Override
            public int io_threads() {
                return threads;
            }

            @Override
            public boolean native_epoll() {
                return true;
            }

            @Override
            public int connect_timeout_millis() {
                return 10_000;
            }
        };
    }
}
