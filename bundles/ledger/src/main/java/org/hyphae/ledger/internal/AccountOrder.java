package org.hyphae.ledger.internal;

import java.util.Comparator;

import org.hyphae.identity.PeerId;

/** Accounts ordered by their bytes, unsigned: the order of the state tree's leaves. */
final class AccountOrder {

    // PeerId's natural order is exactly this one, and it compares without copying the bytes (the copies were a hot spot).
    static final Comparator<PeerId> ORDER = Comparator.naturalOrder();

    private AccountOrder() {
    }
}
