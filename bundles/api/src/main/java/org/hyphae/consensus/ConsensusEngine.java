package org.hyphae.consensus;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A way for peers to agree on blocks (proof of authority, BFT, proof of work). A whiteboard
 * service registered with the service property {@value #NAME_PROPERTY}; the chain's schedule says
 * which engine rules from which height.
 *
 * <p>First draft: the ledger issue adds header validation, sealing and fork choice.
 */
@ConsumerType
public interface ConsensusEngine {

    /** Service property with the engine's name as the chain file uses it, e.g. {@code poa}. */
    String NAME_PROPERTY = "consensus.name";
}
