package org.hyphae.tests.startfailure;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * A buggy extension's plain bundle activator: {@code start} throws, so the framework refuses to
 * start the bundle. (A BundleActivator, not a DS component, on purpose: this is the failure SCR
 * cannot catch.)
 */
@Header(name = "Bundle-Activator", value = "${@class}")
public final class FailingStart implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        throw new IllegalStateException("the start-failure fixture's BundleActivator.start always throws");
    }

    @Override
    public void stop(BundleContext context) {
        // never started
    }
}
