package org.hyphae.consensus;

import java.util.Optional;

import org.hyphae.identity.PeerId;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.ChainSpec;
import org.hyphae.ledger.Hash;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What an engine may read about the chain it judges: headers by hash (including headers being
 * verified in the same sync batch), the parameters of its segment, and signature checks.
 */
@ProviderType
public interface ChainView {

    /**
     * The chain's id.
     *
     * @return the id from the chain file
     */
    String chainId();

    /**
     * The schedule entry that gives this engine its parameters.
     *
     * @return the engine's segment
     */
    ChainSpec.ScheduleEntry segment();

    /**
     * A header of the chain being judged, or any stored header.
     *
     * @param hash the block's hash
     * @return the header, empty if unknown
     */
    Optional<BlockHeader> header(Hash hash);

    /**
     * Verifies an Ed25519 signature by a peer.
     *
     * @param signer the signer, whose id inlines its key
     * @param data the signed data
     * @param signature the signature
     * @return whether the signature is valid; false for ids without an inlined Ed25519 key
     */
    boolean verifySignature(PeerId signer, byte[] data, byte[] signature);
}
