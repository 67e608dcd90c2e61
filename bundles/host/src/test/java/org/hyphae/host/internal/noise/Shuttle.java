package org.hyphae.host.internal.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

/** Connects two {@link EmbeddedChannel}s: moves what each writes into the other until both are quiet. */
public final class Shuttle {
    private Shuttle() {
    }

    public static void run(EmbeddedChannel a, EmbeddedChannel b) {
        boolean moved = true;
        while (moved) {
            moved = false;
            a.runPendingTasks();
            b.runPendingTasks();
            for (EmbeddedChannel[] pair : new EmbeddedChannel[][] {{a, b}, {b, a}}) {
                Object out;
                while ((out = pair[0].readOutbound()) != null) {
                    moved = true;
                    if (pair[1].isActive()) {
                        pair[1].writeInbound(out);
                    } else {
                        ((ByteBuf) out).release();
                    }
                }
            }
        }
    }
}
