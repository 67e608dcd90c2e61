package org.hyphae.node.internal;

import java.lang.System.Logger.Level;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Stops the whole node because it cannot run safely, saying why. The launcher exits with the
 * status left in {@value #EXIT_STATUS_PROPERTY} so that scripts and service managers see a failure.
 */
final class NodeHalt {

    /** System property the launcher reads after the framework stops. */
    static final String EXIT_STATUS_PROPERTY = "hyphae.exit.status";
    private static final System.Logger LOG = System.getLogger(NodeHalt.class.getName());

    private final BundleContext context;

    NodeHalt(BundleContext context) {
        this.context = context;
    }

    void halt(String reason) {
        LOG.log(Level.ERROR, "stopping the node: {0}", reason);
        System.err.println("hyphae: cannot run: " + reason);
        System.setProperty(EXIT_STATUS_PROPERTY, "1");
        try {
            context.getBundle(0).stop();
        } catch (BundleException | IllegalStateException e) {
            LOG.log(Level.ERROR, "could not stop the framework", e);
        }
    }
}
