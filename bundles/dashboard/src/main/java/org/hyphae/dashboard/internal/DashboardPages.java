package org.hyphae.dashboard.internal;

import org.osgi.service.component.annotations.Component;

/**
 * The dashboard's static files ({@code /dashboard/*} from this bundle's {@code /dashboard-static}),
 * registered as an HTTP whiteboard resource: the service object itself is not used.
 */
@Component(service = DashboardPages.class, property = {
        "osgi.http.whiteboard.resource.pattern=/dashboard/*",
        "osgi.http.whiteboard.resource.prefix=/dashboard-static"})
public final class DashboardPages {
}
