package org.hyphae.tests.faulty;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** A component that fails in its activator, as a buggy extension would. */
@Component(immediate = true)
public final class ThrowingActivator {

    @Activate
    void activate() {
        throw new IllegalStateException("the faulty fixture's activator always throws");
    }
}
