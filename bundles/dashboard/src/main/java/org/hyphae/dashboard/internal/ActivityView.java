package org.hyphae.dashboard.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.hyphae.discovery.PeerAddresses;
import org.hyphae.discovery.RoutingTableView;
import org.hyphae.files.FileSharing;
import org.hyphae.files.Transfer;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Block;
import org.hyphae.ledger.BlockHeader;
import org.hyphae.ledger.Ledger;
import org.hyphae.ledger.LedgerStatus;
import org.hyphae.transport.Multiaddr;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * The JSON of what the node is doing: the DHT's routing table, the fetches running, the chain head
 * with its recent blocks. Each part is {@code null} when its area is not in this node.
 */
final class ActivityView {

    static final int DEFAULT_BLOCKS = 10;
    static final int MAX_BLOCKS = 100;

    private ActivityView() {}

    static JsonObject routing(RoutingTableView table) {
        JsonObject out = new JsonObject();
        if (table == null) {
            out.add("mode", JsonNull.INSTANCE);
            out.add("buckets", new JsonArray());
            return out;
        }
        List<RoutingTableView.Bucket> buckets;
        try {
            buckets = table.buckets();
            out.addProperty("mode", table.mode());
            out.addProperty("bucketSize", table.bucketSize());
        } catch (IllegalStateException notRunning) {
            out.add("mode", JsonNull.INSTANCE);
            out.add("buckets", new JsonArray());
            return out;
        }
        JsonArray list = new JsonArray();
        int size = 0;
        for (RoutingTableView.Bucket b : buckets) {
            JsonObject bucket = new JsonObject();
            bucket.addProperty("index", b.index());
            JsonArray peers = new JsonArray();
            for (PeerAddresses p : b.peers()) {
                JsonObject peer = new JsonObject();
                peer.addProperty("peerId", p.peer().toString());
                JsonArray addresses = new JsonArray();
                for (Multiaddr a : p.addresses()) {
                    addresses.add(a.toString());
                }
                peer.add("addresses", addresses);
                peers.add(peer);
            }
            size += b.peers().size();
            bucket.add("peers", peers);
            list.add(bucket);
        }
        out.addProperty("size", size);
        out.add("buckets", list);
        return out;
    }

    static JsonArray transfers(FileSharing files) {
        JsonArray out = new JsonArray();
        if (files == null) {
            return out;
        }
        Instant now = Instant.now();
        for (Transfer t : files.transfers()) {
            JsonObject transfer = new JsonObject();
            transfer.addProperty("root", t.root().toString());
            transfer.addProperty("bytes", t.bytesDone());
            transfer.addProperty("total", t.bytesTotal());
            transfer.addProperty("started", t.started().toString());
            transfer.addProperty("seconds", Duration.between(t.started(), now).toMillis() / 1000.0);
            out.add(transfer);
        }
        return out;
    }

    /** The head and up to {@code blocks} blocks below it (newest first), or null without a ledger. */
    static JsonObject chain(Ledger ledger, int blocks) {
        JsonObject out = new JsonObject();
        if (ledger == null) {
            return null;
        }
        LedgerStatus s = ledger.status();
        BlockHeader head = s.head();
        out.addProperty("chainId", s.chainId());
        out.addProperty("genesis", s.genesis().toString());
        out.addProperty("height", head.height());
        out.addProperty("head", head.hash().toString());
        out.addProperty("engine", s.engine());
        out.addProperty("engineAvailable", s.engineAvailable());
        out.addProperty("pending", s.pendingTransactions());
        out.addProperty("peers", s.peers());
        out.addProperty("peersInSync", s.peersInSync());
        JsonArray recent = new JsonArray();
        for (long h = head.height(); h >= 0 && h > head.height() - blocks; h--) {
            ledger.block(h).ifPresent(b -> recent.add(block(b)));
        }
        out.add("recent", recent);
        return out;
    }

    private static JsonObject block(Block b) {
        BlockHeader h = b.header();
        JsonObject block = new JsonObject();
        block.addProperty("height", h.height());
        block.addProperty("hash", h.hash().toString());
        block.addProperty("time", Instant.ofEpochMilli(h.time()).toString());
        block.addProperty("proposer", h.proposer().map(PeerId::toString).orElse(null));
        block.addProperty("transactions", b.transactions().size());
        return block;
    }

    /**
     * Reads {@code ?blocks=<n>} of {@code GET /api/chain}.
     *
     * @param query the raw query string, maybe null
     * @throws IllegalArgumentException naming what is wrong
     */
    static int blocks(String query) {
        if (query == null || query.isEmpty()) {
            return DEFAULT_BLOCKS;
        }
        int blocks = DEFAULT_BLOCKS;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            if (!key.equals("blocks")) {
                throw new IllegalArgumentException("unknown parameter \"" + abbreviate(key) + "\" (only blocks)");
            }
            try {
                blocks = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                blocks = -1;
            }
            if (blocks < 1 || blocks > MAX_BLOCKS) {
                throw new IllegalArgumentException("blocks must be a whole number from 1 to " + MAX_BLOCKS + ", got \""
                        + abbreviate(value) + "\"");
            }
        }
        return blocks;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
