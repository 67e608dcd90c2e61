package org.hyphae.storage.jdbc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.hyphae.storage.CorruptDataException;
import org.hyphae.storage.Cursor;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;
import org.hyphae.storage.VerifiedBlock;
import org.hyphae.storage.base.BlockDigest;
import org.hyphae.storage.base.VerifyingInputStream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Blocks in the table {@code hyphae_blocks (cid bytea primary key, data bytea)}. A put is one
 * autocommitted {@code INSERT ... ON CONFLICT DO NOTHING}, durable when PostgreSQL acknowledges it.
 * PostgreSQL has no streaming {@code bytea}, so a streamed put is hashed as it arrives and buffered
 * before the insert, and {@link #open} reads the whole value: blocks are meant to be small (IPFS
 * caps them near 2 MiB); the limit is PostgreSQL's 1 GiB per value.
 */
@Component(service = BlockStore.class, property = BlockStore.KIND_PROPERTY + "=" + PostgresConnections.KIND)
public final class PostgresBlockStore implements BlockStore {

    private static final int PAGE = 1000;

    private final PostgresConnections db;
    private final String table;

    /**
     * Uses the shared pool.
     *
     * @param db the pool
     */
    @Activate
    public PostgresBlockStore(@Reference(name = "connections") PostgresConnections db) {
        this.db = db;
        this.table = db.table("hyphae_blocks");
    }

    private String where(Cid cid) {
        return db.describe() + ", table " + table + ", block " + cid;
    }

    @Override
    public boolean has(Cid cid) throws StorageException {
        return db.call("cannot look up block " + cid, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + table + " WHERE cid = ?")) {
                s.setBytes(1, cid.bytes());
                try (ResultSet r = s.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    @Override
    public OptionalLong size(Cid cid) throws StorageException {
        return db.call("cannot read the size of block " + cid, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT length(data) FROM " + table + " WHERE cid = ?")) {
                s.setBytes(1, cid.bytes());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? OptionalLong.of(r.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    private Optional<byte[]> read(Cid cid) throws StorageException {
        return db.call("cannot read block " + cid, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT data FROM " + table + " WHERE cid = ?")) {
                s.setBytes(1, cid.bytes());
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(r.getBytes(1)) : Optional.<byte[]>empty();
                }
            }
        });
    }

    @Override
    public Optional<byte[]> get(Cid cid) throws StorageException {
        Optional<byte[]> data = read(cid);
        if (data.isPresent() && !BlockDigest.matches(cid, data.get())) {
            throw new CorruptDataException(cid, "stored block " + cid + " is corrupt: its " + data.get().length
                    + " byte(s) do not hash to the CID; the row is left as it is", where(cid), null);
        }
        return data;
    }

    @Override
    public Optional<InputStream> open(Cid cid) throws StorageException {
        Optional<byte[]> data = read(cid);
        if (data.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new VerifyingInputStream(new ByteArrayInputStream(data.get()), cid, where(cid)));
        } catch (IOException e) {
            throw new StorageException("cannot open block " + cid, db.describe(), e);
        }
    }

    @Override
    public void put(Cid cid, byte[] data) throws StorageException {
        BlockDigest digest = BlockDigest.forCid(cid);
        digest.update(data, 0, data.length);
        digest.check();
        insert(cid, data);
    }

    /** Hashed already: inserted as it is. */
    @Override
    public void put(VerifiedBlock block) throws StorageException {
        insert(block.cid(), block.data());
    }

    @Override
    public long put(Cid cid, InputStream data) throws StorageException {
        byte[] block = BlockDigest.readVerified(cid, data, null);
        insert(cid, block);
        return block.length;
    }

    private void insert(Cid cid, byte[] data) throws StorageException {
        db.call("cannot write block " + cid + " (nothing stored)", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO " + table + " (cid, data) VALUES (?, ?) ON CONFLICT (cid) DO NOTHING")) {
                s.setBytes(1, cid.bytes());
                s.setBytes(2, data);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public boolean delete(Cid cid) throws StorageException {
        return db.call("cannot delete block " + cid, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE cid = ?")) {
                s.setBytes(1, cid.bytes());
                return s.executeUpdate() > 0;
            }
        });
    }

    /** Pages through the CIDs in key order, one short query per page, holding no connection between pages. */
    @Override
    public Cursor<Cid> cids() {
        return new Cursor<>() {
            private Iterator<byte[]> page = List.<byte[]>of().iterator();
            private byte[] last;
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                if (page.hasNext()) {
                    return true;
                }
                if (exhausted) {
                    return false;
                }
                List<byte[]> next;
                try {
                    next = fetch(last);
                } catch (StorageException e) {
                    throw new UncheckedIOException(e);
                }
                exhausted = next.size() < PAGE;
                if (!next.isEmpty()) {
                    last = next.get(next.size() - 1);
                }
                page = next.iterator();
                return page.hasNext();
            }

            @Override
            public Cid next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] raw = page.next();
                try {
                    return Cid.decode(raw);
                } catch (IllegalArgumentException e) {
                    throw new UncheckedIOException(new CorruptDataException(null,
                            "row with a key that is not a CID: " + e.getMessage(), db.describe() + ", table " + table, e));
                }
            }

            @Override
            public void close() {
                exhausted = true;
                page = List.<byte[]>of().iterator();
            }
        };
    }

    private List<byte[]> fetch(byte[] after) throws StorageException {
        return db.call("cannot list blocks", c -> {
            String sql = "SELECT cid FROM " + table + (after == null ? "" : " WHERE cid > ?") + " ORDER BY cid LIMIT " + PAGE;
            try (PreparedStatement s = c.prepareStatement(sql)) {
                if (after != null) {
                    s.setBytes(1, after);
                }
                List<byte[]> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(r.getBytes(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public StoreStats stats() throws StorageException {
        return db.call("cannot count blocks", (Connection c) -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT count(*), coalesce(sum(length(data)), 0) FROM " + table);
                    ResultSet r = s.executeQuery()) {
                r.next();
                return new StoreStats(r.getLong(1), r.getLong(2));
            } catch (SQLException e) {
                throw e;
            }
        });
    }
}
