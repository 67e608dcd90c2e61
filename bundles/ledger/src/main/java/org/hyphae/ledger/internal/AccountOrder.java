package org.hyphae.ledger.internal;

import java.util.Arrays;
import java.util.Comparator;

import org.hyphae.identity.PeerId;

/** Accounts ordered by their bytes, unsigned: the order of the state tree's leaves. */
final class AccountOrder {

    static final Comparator<PeerId> ORDER = Comparator.comparing(PeerId::bytes, Arrays::compareUnsigned);

    private AccountOrder() {
    }
}
