package org.hyphae.dashboard.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Prints where the dashboard and the metrics are once the HTTP service runs (its
 * {@code osgi.http.endpoint}), as the start-up report prints the swarm's addresses: with port 0
 * this is how an operator, or a test, learns the port.
 */
@Component
public final class EndpointAnnouncer {

    private static final String RUNTIME = "org.osgi.service.http.runtime.HttpServiceRuntime";
    private final ServiceTracker<Object, Object> tracker;

    @Activate
    public EndpointAnnouncer(BundleContext context) throws InvalidSyntaxException {
        tracker = new ServiceTracker<>(context, context.createFilter("(" + Constants.OBJECTCLASS + "=" + RUNTIME + ")"), null) {
            @Override
            public Object addingService(ServiceReference<Object> reference) {
                announce(reference.getProperty("osgi.http.endpoint"));
                return reference;
            }
        };
        tracker.open(true);
    }

    @Deactivate
    void deactivate() {
        tracker.close();
    }

    private static void announce(Object endpoint) {
        String first = endpoint instanceof String[] a && a.length > 0 ? a[0] : endpoint instanceof String s ? s : null;
        if (first == null) {
            return;
        }
        String base = first.endsWith("/") ? first : first + "/";
        System.out.println("Dashboard on " + base + "dashboard/index.html");
        System.out.println("Metrics on " + base + "metrics");
    }
}
