package org.hyphae.storage.jdbc;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import org.hyphae.storage.Cursor;
import org.hyphae.storage.Datastore;
import org.hyphae.storage.Entry;
import org.hyphae.storage.KeyRange;
import org.hyphae.storage.StorageException;
import org.hyphae.storage.StoreStats;
import org.hyphae.storage.base.DatastoreKeys;
import org.hyphae.storage.base.PendingBatch;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Entries in the table {@code hyphae_datastore (k bytea primary key, v bytea)}. PostgreSQL compares
 * {@code bytea} with memcmp, which is the contract's unsigned order, so range scans are plain
 * B-tree range queries. A batch is one transaction; a scan is one statement read through a
 * server-side cursor, so it sees one snapshot, never half a batch.
 */
@Component(service = Datastore.class, property = Datastore.KIND_PROPERTY + "=" + PostgresConnections.KIND)
public final class PostgresDatastore implements Datastore {

    private static final int FETCH = 500;

    private final PostgresConnections db;
    private final String table;

    /**
     * Uses the shared pool.
     *
     * @param db the pool
     */
    @Activate
    public PostgresDatastore(@Reference(name = "connections") PostgresConnections db) {
        this.db = db;
        this.table = db.table("hyphae_datastore");
    }

    @Override
    public Optional<byte[]> get(byte[] key) throws StorageException {
        DatastoreKeys.checkKey(key);
        return db.call("cannot read key " + DatastoreKeys.describe(key), c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT v FROM " + table + " WHERE k = ?")) {
                s.setBytes(1, key);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(r.getBytes(1)) : Optional.<byte[]>empty();
                }
            }
        });
    }

    @Override
    public boolean has(byte[] key) throws StorageException {
        DatastoreKeys.checkKey(key);
        return db.call("cannot read key " + DatastoreKeys.describe(key), c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + table + " WHERE k = ?")) {
                s.setBytes(1, key);
                try (ResultSet r = s.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    @Override
    public void put(byte[] key, byte[] value) throws StorageException {
        byte[] k = DatastoreKeys.checkKey(key).clone();
        byte[] v = DatastoreKeys.checkValue(value).clone();
        db.call("cannot write key " + DatastoreKeys.describe(k), c -> {
            try (PreparedStatement s = c.prepareStatement(upsert())) {
                s.setBytes(1, k);
                s.setBytes(2, v);
                return s.executeUpdate();
            }
        });
    }

    private String upsert() {
        return "INSERT INTO " + table + " (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v";
    }

    @Override
    public void delete(byte[] key) throws StorageException {
        DatastoreKeys.checkKey(key);
        db.call("cannot delete key " + DatastoreKeys.describe(key), c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE k = ?")) {
                s.setBytes(1, key);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Cursor<Entry> scan(KeyRange range) throws StorageException {
        byte[] from = range.from().orElse(null);
        byte[] to = range.to().orElse(null);
        StringBuilder sql = new StringBuilder("SELECT k, v FROM ").append(table);
        if (from != null || to != null) {
            sql.append(" WHERE ");
            sql.append(from != null ? "k >= ?" : "");
            sql.append(from != null && to != null ? " AND " : "");
            sql.append(to != null ? "k < ?" : "");
        }
        sql.append(" ORDER BY k");
        // The cursor keeps its connection (and transaction) until it is closed: a server-side
        // cursor needs both, and that is what makes it one snapshot.
        return openScan(sql.toString(), from, to, range);
    }

    private Cursor<Entry> openScan(String sql, byte[] from, byte[] to, KeyRange range) throws StorageException {
        Connection connection = null;
        try {
            connection = db.connection("cannot scan " + range);
            connection.setAutoCommit(false);
            PreparedStatement s = connection.prepareStatement(sql);
            s.setFetchSize(FETCH);
            int i = 1;
            if (from != null) {
                s.setBytes(i++, from);
            }
            if (to != null) {
                s.setBytes(i, to);
            }
            ResultSet r = s.executeQuery();
            return new ScanCursor(connection, r, range);
        } catch (SQLException e) {
            closeQuietly(connection);
            throw db.failure("cannot scan " + range, e);
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.rollback();
            } catch (SQLException e) {
                // the connection is going back to the pool, which checks it
            }
            try {
                connection.close();
            } catch (SQLException e) {
                // as above
            }
        }
    }

    private final class ScanCursor implements Cursor<Entry> {
        private final Connection connection;
        private final ResultSet rows;
        private final KeyRange range;
        private Entry next;
        private boolean done;

        ScanCursor(Connection connection, ResultSet rows, KeyRange range) {
            this.connection = connection;
            this.rows = rows;
            this.range = range;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (done) {
                return false;
            }
            try {
                if (rows.next()) {
                    next = new Entry(rows.getBytes(1), rows.getBytes(2));
                    return true;
                }
            } catch (SQLException e) {
                close();
                throw new UncheckedIOException(db.failure("cannot scan " + range, e));
            }
            close();
            return false;
        }

        @Override
        public Entry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Entry out = next;
            next = null;
            return out;
        }

        @Override
        public void close() {
            if (!done) {
                done = true;
                closeQuietly(connection);
            }
        }
    }

    @Override
    public Batch batch() {
        return new PendingBatch() {
            @Override
            protected void apply(List<Op> ops) throws StorageException {
                // Only each key's last operation matters; apply those in one transaction.
                Map<ByteBuffer, Op> last = new LinkedHashMap<>();
                for (Op op : ops) {
                    last.remove(ByteBuffer.wrap(op.key()));
                    last.put(ByteBuffer.wrap(op.key()), op);
                }
                List<Op> puts = new ArrayList<>();
                List<Op> deletes = new ArrayList<>();
                for (Op op : last.values()) {
                    (op.value() == null ? deletes : puts).add(op);
                }
                db.call("cannot apply a batch of " + ops.size() + " operation(s) (nothing applied)", c -> {
                    c.setAutoCommit(false);
                    try (PreparedStatement put = c.prepareStatement(upsert());
                            PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE k = ?")) {
                        for (Op op : puts) {
                            put.setBytes(1, op.key());
                            put.setBytes(2, op.value());
                            put.addBatch();
                        }
                        for (Op op : deletes) {
                            delete.setBytes(1, op.key());
                            delete.addBatch();
                        }
                        if (!puts.isEmpty()) {
                            put.executeBatch();
                        }
                        if (!deletes.isEmpty()) {
                            delete.executeBatch();
                        }
                        c.commit();
                        return null;
                    } catch (SQLException e) {
                        c.rollback();
                        throw e;
                    } finally {
                        c.setAutoCommit(true);
                    }
                });
            }
        };
    }

    @Override
    public StoreStats stats() throws StorageException {
        return db.call("cannot count entries", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT count(*), coalesce(sum(length(k) + length(v)), 0) FROM " + table);
                    ResultSet r = s.executeQuery()) {
                r.next();
                return new StoreStats(r.getLong(1), r.getLong(2));
            }
        });
    }
}
