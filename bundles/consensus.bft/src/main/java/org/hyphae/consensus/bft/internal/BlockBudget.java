package org.hyphae.consensus.bft.internal;

/**
 * The most transactions a validator proposes: halved when a round fails (down to {@value #MIN}),
 * doubled when a height is decided quickly in its first round. Under load a full block took longer
 * to build and check than a round lasts, and every round failed; smaller blocks get through
 * (BftStarvationTest). Unlimited to begin with (the ledger's own limit applies).
 */
final class BlockBudget {

    /** The fewest transactions a proposal may be limited to. */
    static final int MIN = 64;

    private int limit = Integer.MAX_VALUE;

    int limit() {
        return limit;
    }

    boolean limited() {
        return limit != Integer.MAX_VALUE;
    }

    /** A round failed; its proposal (if one came) had {@code size} transactions. */
    void roundFailed(int size) {
        limit = Math.max(MIN, Math.min(limit, size) / 2);
    }

    /** A height was decided in its first round, sooner than a propose timeout after it could start. */
    void quickDecision() {
        limit = limit > Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE : limit * 2;
    }
}
