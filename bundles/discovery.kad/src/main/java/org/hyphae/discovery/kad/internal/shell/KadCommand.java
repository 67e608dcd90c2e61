package org.hyphae.discovery.kad.internal.shell;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.hyphae.discovery.PeerAddresses;
import org.hyphae.discovery.kad.internal.KadDht;
import org.hyphae.discovery.kad.internal.PublicKeyValidator;
import org.hyphae.discovery.kad.internal.service.KadService;
import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Cid;
import org.hyphae.transport.Multiaddr;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The DHT's shell commands. Gogo maps command names to Java method names, which cannot hold a
 * hyphen, so each command is its own {@link Function} service. Keys and values are given as text,
 * or as {@code hex:<hex>}; {@code dht-put pk} publishes this node's own public key under
 * {@code /pk/<multihash>}. Output lines start with a fixed word (FOUND, VALUE, PROVIDER, ...) so
 * scripts can read them.
 */
public abstract class KadCommand implements Function {

    static final long TIMEOUT_SECONDS = 60;

    final KadService kad;
    private final String usage;
    private final int minArgs;
    private final int maxArgs;

    KadCommand(KadService kad, String usage, int minArgs, int maxArgs) {
        this.kad = kad;
        this.usage = usage;
        this.minArgs = minArgs;
        this.maxArgs = maxArgs;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        if (arguments.size() < minArgs || arguments.size() > maxArgs) {
            return "usage: " + usage;
        }
        List<String> args = new ArrayList<>();
        for (Object a : arguments) {
            args.add(String.valueOf(a));
        }
        try {
            return run(args);
        } catch (IllegalArgumentException e) {
            return "error: " + e.getMessage() + "\nusage: " + usage;
        }
    }

    abstract String run(List<String> args) throws Exception;

    static <T> T await(CompletionStage<T> stage, String what) throws Exception {
        try {
            return stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new Exception(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new Exception(what + " did not finish in " + TIMEOUT_SECONDS + " s", e);
        }
    }

    static byte[] bytes(String arg) {
        if (arg.startsWith("hex:")) {
            return HexFormat.of().parseHex(arg.substring(4));
        }
        return arg.getBytes(StandardCharsets.UTF_8);
    }

    static String show(PeerAddresses p) {
        StringBuilder b = new StringBuilder(p.peer().toString());
        for (Multiaddr a : p.addresses()) {
            b.append(' ').append(a);
        }
        return b.toString();
    }

    /** {@code hyphae:find-peer <peer id>}. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=find-peer"})
    public static final class FindPeer extends KadCommand {
        @Activate
        public FindPeer(@Reference KadService kad) {
            super(kad, "hyphae:find-peer <peer id>   (look a peer's addresses up in the DHT)", 1, 1);
        }

        @Override
        String run(List<String> args) throws Exception {
            PeerId peer = PeerId.parse(args.get(0));
            Optional<PeerAddresses> found = await(kad.findPeer(peer), "find-peer " + peer);
            return found.map(p -> "FOUND " + show(p)).orElse("NOT FOUND " + peer);
        }
    }

    /** {@code hyphae:dht-put <key> <value>} or {@code hyphae:dht-put pk}. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=dht-put"})
    public static final class Put extends KadCommand {
        @Activate
        public Put(@Reference KadService kad) {
            super(kad, "hyphae:dht-put <key> <value> | hyphae:dht-put pk   (keys and values as text or hex:<hex>;"
                    + " 'pk' publishes this node's public key)", 1, 2);
        }

        @Override
        String run(List<String> args) throws Exception {
            byte[] key;
            byte[] value;
            if (args.size() == 1) {
                if (!"pk".equals(args.get(0))) {
                    throw new IllegalArgumentException("one argument must be 'pk'");
                }
                value = kad.dht().localPublicKey();
                key = PublicKeyValidator.keyFor(value);
            } else {
                key = bytes(args.get(0));
                value = bytes(args.get(1));
            }
            await(kad.put(key, value), "dht-put");
            return "PUT OK hex:" + HexFormat.of().formatHex(key);
        }
    }

    /** {@code hyphae:dht-get <key>}. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=dht-get"})
    public static final class Get extends KadCommand {
        @Activate
        public Get(@Reference KadService kad) {
            super(kad, "hyphae:dht-get <key>   (key as text or hex:<hex>)", 1, 1);
        }

        @Override
        String run(List<String> args) throws Exception {
            byte[] key = bytes(args.get(0));
            Optional<byte[]> value = await(kad.get(key), "dht-get");
            return value.map(v -> "VALUE hex:" + HexFormat.of().formatHex(v))
                    .orElse("NO VALUE hex:" + HexFormat.of().formatHex(key));
        }
    }

    /** {@code hyphae:provide <cid>}. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=provide"})
    public static final class Provide extends KadCommand {
        @Activate
        public Provide(@Reference KadService kad) {
            super(kad, "hyphae:provide <cid>   (announce that this node provides the content)", 1, 1);
        }

        @Override
        String run(List<String> args) throws Exception {
            Cid cid = Cid.parse(args.get(0));
            await(kad.provide(cid), "provide " + cid);
            return "PROVIDING " + cid;
        }
    }

    /** {@code hyphae:providers <cid> [max]}. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=providers"})
    public static final class Providers extends KadCommand {
        @Activate
        public Providers(@Reference KadService kad) {
            super(kad, "hyphae:providers <cid> [max]   (find peers that provide the content; max 20 by default)", 1, 2);
        }

        @Override
        String run(List<String> args) throws Exception {
            Cid cid = Cid.parse(args.get(0));
            int max = args.size() > 1 ? Integer.parseInt(args.get(1)) : 20;
            List<PeerAddresses> found = await(kad.findProviders(cid, max), "providers " + cid);
            StringBuilder b = new StringBuilder();
            for (PeerAddresses p : found) {
                b.append("PROVIDER ").append(show(p)).append('\n');
            }
            return b.append("PROVIDERS ").append(found.size()).append(" for ").append(cid).toString();
        }
    }

    /** {@code hyphae:routing-table}. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=routing-table"})
    public static final class Table extends KadCommand {
        @Activate
        public Table(@Reference KadService kad) {
            super(kad, "hyphae:routing-table   (the DHT's k-buckets)", 0, 0);
        }

        @Override
        String run(List<String> args) {
            KadDht d = kad.dht();
            StringBuilder b = new StringBuilder();
            for (Map.Entry<Integer, List<PeerAddresses>> e : d.routingTable().buckets().entrySet()) {
                b.append("bucket ").append(e.getKey()).append(" (").append(e.getValue().size()).append(")\n");
                for (PeerAddresses p : e.getValue()) {
                    b.append("  ").append(show(p)).append('\n');
                }
            }
            return b.append("ROUTING TABLE ").append(d.routingTable().size()).append(" peers, mode ")
                    .append(d.settings().clientMode() ? "client" : "server").append(", ")
                    .append(d.store().valueCount()).append(" values, ").append(d.store().providerKeyCount())
                    .append(" provider keys stored").toString();
        }
    }

    /** {@code hyphae:dht-bootstrap <multiaddr/p2p/id>...}. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=dht-bootstrap"})
    public static final class Bootstrap extends KadCommand {
        @Activate
        public Bootstrap(@Reference KadService kad) {
            super(kad, "hyphae:dht-bootstrap <multiaddr/p2p/id>...   (add peers to the DHT and refresh)", 1, 64);
        }

        @Override
        String run(List<String> args) throws Exception {
            List<Multiaddr> addrs = new ArrayList<>();
            for (String a : args) {
                addrs.add(Multiaddr.parse(a));
            }
            int n = await(kad.bootstrap(addrs), "dht-bootstrap");
            return "BOOTSTRAPPED " + n + " peers in the routing table";
        }
    }
}
