package org.hyphae.discovery.dialer.internal;

import java.util.HashMap;
import java.util.Map;

import org.hyphae.transport.Multiaddr;

/**
 * When each failing address may be tried again: {@code base * 2^(failures-1)}, at most
 * {@code max}. A success forgets the address. Thread-safe.
 */
final class AddressBackoff {

    private record State(int failures, long retryAt) {
    }

    private final Map<Multiaddr, State> states = new HashMap<>();

    synchronized boolean ready(Multiaddr address, long now) {
        State s = states.get(address);
        return s == null || s.retryAt() <= now;
    }

    /** Records a failure; returns how many in a row the address has now failed. */
    synchronized int failed(Multiaddr address, long now, long baseMillis, long maxMillis) {
        State old = states.get(address);
        int failures = old == null ? 1 : old.failures() + 1;
        long wait = Math.min(maxMillis, baseMillis << Math.min(30, failures - 1));
        states.put(address, new State(failures, now + wait));
        if (states.size() > 100_000) {
            // Bounded even if every address of a huge store fails: the oldest knowledge goes.
            states.clear();
        }
        return failures;
    }

    synchronized void succeeded(Multiaddr address) {
        states.remove(address);
    }

    synchronized void forget(Multiaddr address) {
        states.remove(address);
    }

    synchronized int size() {
        return states.size();
    }
}
