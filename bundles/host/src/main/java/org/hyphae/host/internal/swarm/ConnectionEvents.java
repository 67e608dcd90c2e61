package org.hyphae.host.internal.swarm;

import java.lang.System.Logger.Level;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.hyphae.transport.Connection;
import org.hyphae.transport.ConnectionListener;
import org.hyphae.transport.PeerInfo;

/**
 * Delivers connection events to {@link ConnectionListener} services, one at a time and in order,
 * on a thread of its own: the I/O threads that see the events never wait for a listener.
 *
 * <p>Listeners are held by key (the service reference) and fetched lazily, because a listener
 * that needs the host must not be activated while the host binds it (circular activation). A new
 * listener is first told of the connections announced before it (its replay); events reach it
 * only after that, so it never hears of a connection twice.
 */
final class ConnectionEvents {

    private static final System.Logger LOG = System.getLogger(ConnectionEvents.class.getName());

    /** A listener and whether its replay has run (read and written on the dispatcher thread only). */
    private static final class Registration {
        final Supplier<ConnectionListener> listener;
        boolean live;

        Registration(Supplier<ConnectionListener> listener) {
            this.listener = listener;
        }
    }

    private final Map<Object, Registration> registrations = new ConcurrentHashMap<>();
    private final ExecutorService dispatcher;
    /** Connections announced as connected and not yet as disconnected; dispatcher thread only. */
    private final Set<Connection> announced = new LinkedHashSet<>();

    ConnectionEvents(ThreadFactory threads) {
        this.dispatcher = Executors.newSingleThreadExecutor(threads);
    }

    /** Adds a listener; it is told first about the connections that are open, then every event. */
    void add(Object key, Supplier<ConnectionListener> listener) {
        Registration registration = new Registration(listener);
        registrations.put(key, registration);
        dispatch(() -> {
            for (Connection connection : List.copyOf(announced)) {
                deliver(key, registration, l -> l.connected(connection));
            }
            registration.live = true;
        });
    }

    /** Removes a listener at once; events still queued do not reach it. */
    void remove(Object key) {
        registrations.remove(key);
    }

    void connected(Connection connection) {
        dispatch(() -> {
            announced.add(connection);
            deliverToAll(l -> l.connected(connection));
        });
    }

    void identified(PeerInfo info) {
        dispatch(() -> deliverToAll(l -> l.identified(info)));
    }

    void disconnected(Connection connection) {
        dispatch(() -> {
            if (announced.remove(connection)) {
                deliverToAll(l -> l.disconnected(connection));
            }
        });
    }

    /** Completes once every event queued before this call has been delivered (for tests). */
    java.util.concurrent.CompletableFuture<Void> delivered() {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        dispatch(() -> done.complete(null));
        return done;
    }

    /** Stops delivering; queued events are dropped. */
    void close() {
        dispatcher.shutdownNow();
        registrations.clear();
    }

    private void deliverToAll(Consumer<ConnectionListener> event) {
        registrations.forEach((key, registration) -> {
            if (registration.live) {
                deliver(key, registration, event);
            }
        });
    }

    private void dispatch(Runnable task) {
        try {
            dispatcher.execute(task);
        } catch (RejectedExecutionException stopping) {
            // the host is stopping: nobody is listening any more
        }
    }

    private void deliver(Object key, Registration registration, Consumer<ConnectionListener> event) {
        if (registrations.get(key) != registration) {
            return; // removed (or replaced) since the event was queued
        }
        try {
            ConnectionListener target = registration.listener.get();
            if (target != null) {
                event.accept(target);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "connection listener " + key + " failed", e);
        }
    }
}
