package org.hyphae.exchange;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.hyphae.identity.PeerId;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.VerifiedBlock;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The requests of one download. The session asks many peers at once, sends each block request to
 * the peer likely to answer first, asks again elsewhere when a peer is slow, says it does not have
 * the block, or leaves, and looks for more providers (content routing) when its peers run dry.
 *
 * <p><b>Threads.</b> Every method may be called from any number of threads at once; the stages
 * complete on the exchange's threads: hand blocking work elsewhere.
 */
@ProviderType
public interface ExchangeSession extends AutoCloseable {

    /**
     * Gets a block: from the local store if it is there, else from peers. A block from a peer is
     * verified against {@code cid} and stored in the block store before the stage completes.
     *
     * @param cid the block's CID
     * @return completes with the block's bytes; fails with {@link BlockUnavailableException} if no
     *     peer delivered it within the implementation's deadline, or with an
     *     {@link java.io.IOException} if the store cannot be written, or with
     *     {@link java.util.concurrent.CancellationException} if the session was closed first
     */
    CompletionStage<byte[]> get(Cid cid);

    /**
     * Gets a block as {@link #get} does, for a caller that stores it itself: a block from a peer is
     * verified against {@code cid} but not stored. A download that writes the block into its output
     * file stores it then, as a reference to that range ({@link
     * org.hyphae.storage.BlockStore#putReference}), so its bytes are written once. The caller must
     * store every block it is given, or the block is not kept. If another request wants the same
     * block stored, it is stored as by {@link #get}. A block already in the local store is read
     * and hashed.
     *
     * @param cid the block's CID
     * @return completes with the verified block, or fails as {@link #get} does
     * @since 0.2
     */
    CompletionStage<VerifiedBlock> getWithoutStoring(Cid cid);

    /**
     * Suggests a peer to ask (one that announced the content, for example). Peers connected to this
     * node are asked anyway.
     *
     * @param peer a peer that may hold the session's blocks
     */
    void addPeer(PeerId peer);

    /**
     * Lists the peers that delivered or announced blocks of this session and have not failed it.
     *
     * @return the session's active peers, fastest first
     */
    List<PeerId> activePeers();

    /**
     * Ends the session: outstanding requests are cancelled at the peers and their stages fail with
     * {@link java.util.concurrent.CancellationException}. Closing twice changes nothing.
     */
    @Override
    void close();
}
