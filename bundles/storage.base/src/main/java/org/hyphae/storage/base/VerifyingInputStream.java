package org.hyphae.storage.base;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.hyphae.multiformats.Cid;
import org.hyphae.storage.CorruptDataException;

/**
 * Delivers a stored block and checks its hash when the end is reached: a mismatch is thrown instead
 * of reporting the end, so a reader that reads to {@code -1} never accepts corrupt data.
 */
public final class VerifyingInputStream extends FilterInputStream {

    private final Cid cid;
    private final String resource;
    private final BlockDigest digest;
    private boolean checked;

    /**
     * Wraps a stream.
     *
     * @param in the stored bytes
     * @param cid the block's CID
     * @param resource the file or connection the bytes come from, for the error message
     * @throws IOException if the CID's hash function cannot be checked
     */
    public VerifyingInputStream(InputStream in, Cid cid, String resource) throws IOException {
        super(in);
        this.cid = cid;
        this.resource = resource;
        this.digest = BlockDigest.forCid(cid);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            digest.update(b, off, n);
        } else if (n < 0 && !checked) {
            checked = true;
            if (!digest.matches()) {
                throw new CorruptDataException(cid, "stored block " + cid + " is corrupt: its " + digest.length()
                        + " byte(s) do not hash to the CID", resource, null);
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must still be hashed, or the end-of-stream check would be meaningless.
        byte[] buf = new byte[8192];
        long total = 0;
        while (total < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - total));
            if (r < 0) {
                break;
            }
            total += r;
        }
        return total;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // not supported: re-reading would hash bytes twice
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported on a verifying block stream");
    }
}
