package org.hyphae.consensus.pow.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;

import org.apache.felix.service.command.Descriptor;
import org.hyphae.consensus.ConsensusEngine;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code hyphae:mine [threads]}: starts, resizes or stops mining (0 threads) on this node, as
 * Geth's {@code miner.start(n)} / {@code miner.stop()} do. The count goes into Config Admin under
 * {@value PowEngine#PID}, so it survives a restart; without an argument it tells the count and the
 * hash rate.
 */
@Component(service = PowCommands.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=mine"})
public final class PowCommands {

    /** More threads than this is a typo, not a plan (the miner is CPU-bound). */
    static final int MAX_THREADS = 1024;

    private final ConfigurationAdmin configurationAdmin;
    private final PowEngine engine;

    @Activate
    public PowCommands(@Reference ConfigurationAdmin configurationAdmin,
            @Reference(target = "(component.name=org.hyphae.consensus.pow.internal.PowEngine)") ConsensusEngine engine) {
        this.configurationAdmin = configurationAdmin;
        this.engine = (PowEngine) engine;
    }

    @Descriptor("tell the mining threads and the hash rate")
    public String mine() {
        int n = engine.threads();
        if (n == 0) {
            return "not mining (hyphae:mine <threads> starts)";
        }
        return String.format("mining on %d thread(s), %.0f hashes/s (on the proof-of-work segment of the chain)", n,
                engine.hashRate());
    }

    @Descriptor("mine on this many threads (0 stops), kept across restarts")
    public String mine(@Descriptor("threads, 0 to stop") String threads) throws IOException {
        int n;
        try {
            n = Integer.parseInt(threads.trim());
        } catch (NumberFormatException e) {
            return "usage: hyphae:mine <threads> (a number, 0 to stop; not \"" + threads + "\")";
        }
        if (n < 0 || n > MAX_THREADS) {
            return "threads must be 0 to " + MAX_THREADS + ", not " + n;
        }
        Configuration configuration = configurationAdmin.getConfiguration(PowEngine.PID, "?");
        Dictionary<String, Object> properties = configuration.getProperties();
        if (properties == null) {
            properties = new Hashtable<>();
        }
        properties.put("threads", n);
        configuration.update(properties);
        return n == 0 ? "mining stops" : "mining on " + n + " thread(s) (blocks come only on the chain's proof-of-work segment)";
    }
}
