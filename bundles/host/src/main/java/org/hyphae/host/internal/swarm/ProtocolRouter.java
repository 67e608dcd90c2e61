package org.hyphae.host.internal.swarm;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.hyphae.transport.ProtocolHandler;
import org.hyphae.transport.Stream;

/**
 * The protocol handlers registered as whiteboard services, by protocol id. When two handlers claim
 * one protocol the first registered keeps it (service ranking is not worth its complexity here);
 * the other takes over if the first goes away.
 *
 * <p>Handlers are registered by key with a supplier, and the supplier is asked only when a stream
 * arrives: a handler component that itself needs the {@code Host} (ping does) is then activated
 * after the host, not during its activation, which would be a circular reference.
 */
final class ProtocolRouter {

    private static final System.Logger LOG = System.getLogger(ProtocolRouter.class.getName());

    private record Registration(Object key, Supplier<ProtocolHandler> handler, List<String> protocols) {}

    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final Map<String, Supplier<ProtocolHandler>> byProtocol = new ConcurrentHashMap<>();

    /** Adds a handler for its protocols; returns true if the set of served protocols changed. */
    synchronized boolean add(Object key, Supplier<ProtocolHandler> handler, Collection<String> protocols) {
        registrations.add(new Registration(key, handler, List.copyOf(protocols)));
        return rebuild();
    }

    /** Adds a handler object directly. */
    boolean add(ProtocolHandler handler, Collection<String> protocols) {
        return add(handler, () -> handler, protocols);
    }

    /** Removes a handler by its key; returns true if the set of served protocols changed. */
    synchronized boolean remove(Object key) {
        registrations.removeIf(r -> r.key() == key);
        return rebuild();
    }

    private boolean rebuild() {
        Set<String> before = Set.copyOf(byProtocol.keySet());
        Map<String, Supplier<ProtocolHandler>> next = new java.util.HashMap<>();
        for (Registration r : registrations) {
            for (String protocol : r.protocols()) {
                next.putIfAbsent(protocol, r.handler());
            }
        }
        byProtocol.keySet().retainAll(next.keySet());
        byProtocol.putAll(next);
        return !before.equals(next.keySet());
    }

    Set<String> protocols() {
        return Set.copyOf(byProtocol.keySet());
    }

    Optional<ProtocolHandler> handler(String protocol) {
        return Optional.ofNullable(byProtocol.get(protocol)).map(Supplier::get);
    }

    /** Hands an inbound stream to its handler; a stream nobody serves (any more) is reset. */
    void route(Stream stream) {
        Supplier<ProtocolHandler> supplier = byProtocol.get(stream.protocol());
        ProtocolHandler handler = supplier == null ? null : supplier.get();
        if (handler == null) {
            LOG.log(Level.DEBUG, "no handler for {0} from {1}: reset", stream.protocol(), stream.remotePeer());
            stream.reset();
            return;
        }
        try {
            handler.handle(stream);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handler for " + stream.protocol() + " failed on a stream from "
                    + stream.remotePeer() + ": " + e, e);
            stream.reset();
        }
    }

    /** Reads the protocol ids of a handler's {@value ProtocolHandler#PROTOCOL_PROPERTY} property. */
    static List<String> protocolsOf(Map<String, ?> properties) {
        Object value = properties.get(ProtocolHandler.PROTOCOL_PROPERTY);
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof String[] array) {
            return List.of(array);
        }
        if (value instanceof Collection<?> collection) {
            return collection.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
