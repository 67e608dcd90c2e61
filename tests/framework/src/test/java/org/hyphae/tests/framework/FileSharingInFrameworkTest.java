package org.hyphae.tests.framework;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;

import org.apache.felix.service.command.CommandProcessor;
import org.hyphae.files.FileSharing;
import org.hyphae.files.ImportOptions;
import org.hyphae.files.ProgressListener;
import org.hyphae.multiformats.Cid;
import org.hyphae.storage.BlockStore;
import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/** File sharing wired in the node: it imports into the active block store and reads back. */
class FileSharingInFrameworkTest {

    @Test
    void addAndCatThroughTheNodesBlockStore(@InjectService FileSharing files,
            @InjectService(filter = "(storage.kind=fs)") BlockStore disk, @InjectService CommandProcessor shell)
            throws Exception {
        byte[] data = new byte[3 * 256 * 1024 + 17];
        new Random(7).nextBytes(data);
        Cid root = files.add(new ByteArrayInputStream(data), ImportOptions.defaults(), ProgressListener.NONE);
        assertEquals(1, root.version());
        assertTrue(disk.has(root), "the root block went to the default (fs) store");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(data.length, files.cat(root, out, ProgressListener.NONE));
        assertArrayEquals(data, out.toByteArray());

        assertTrue(NodeBundlesTest.run(shell, "hyphae:status").contains("org.hyphae.files"));
    }
}
