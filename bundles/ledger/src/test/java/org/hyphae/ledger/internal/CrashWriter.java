package org.hyphae.ledger.internal;

import java.nio.file.Path;
import java.util.List;

import org.hyphae.storage.fs.MvStoreDatastore;

/**
 * The process {@link ChainCrashTest} kills: opens the chain in an MVStore file and imports blocks
 * with transfers as fast as it can, printing each height once its batch is committed.
 */
public final class CrashWriter {

    public static void main(String[] args) throws Exception {
        Fixture f = new Fixture(1, 3);
        MvStoreDatastore ds = new MvStoreDatastore(Path.of(args[0]));
        Chain c = f.chain(ds);
        while (true) {
            long nonce = c.account(f.users.get(0).peerId()).nonce();
            var txs = List.of(f.transfer(f.users.get(0), nonce, 1, f.users.get(1).peerId(), 3),
                    f.transfer(f.users.get(0), nonce + 1, 1, f.users.get(2).peerId(), 4));
            c.importBlock(f.block(c, c.head(), f.signers.get(0), txs));
            System.out.println("committed " + c.head().height());
            System.out.flush();
        }
    }
}
