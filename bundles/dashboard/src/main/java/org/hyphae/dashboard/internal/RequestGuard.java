package org.hyphae.dashboard.internal;

import java.net.URI;
import java.util.Set;

/**
 * What the dashboard accepts from a browser. It is served on loopback only; these checks keep a
 * web page from elsewhere from using it through the operator's browser: a {@code Host} that is
 * not a loopback name is refused (DNS rebinding), and a write must come from the dashboard's own
 * origin (cross-site forms and scripts are refused) with a JSON body (which a cross-site page
 * cannot send without a CORS preflight, and this server answers none).
 */
final class RequestGuard {

    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]");

    private RequestGuard() {}

    /** Null if the Host header names this machine's loopback, else the reason to refuse. */
    static String checkHost(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return "missing Host header";
        }
        String host = hostName(hostHeader);
        return LOOPBACK_HOSTS.contains(host.toLowerCase()) ? null
                : "Host \"" + hostHeader + "\" is not a loopback address; the dashboard answers only on 127.0.0.1";
    }

    /**
     * Null if a write may go ahead, else the reason to refuse it: an {@code Origin} must be the
     * dashboard's own ({@code http://<Host>}); without one, {@code Sec-Fetch-Site} (sent by
     * browsers) must not say cross-site. Clients that send neither (curl, scripts) are allowed:
     * they are not a browser acting for a foreign page.
     */
    static String checkWrite(String hostHeader, String origin, String secFetchSite) {
        if (origin != null && !origin.isEmpty()) {
            if (origin.equals("null")) {
                return "cross-origin write refused: Origin is null (a sandboxed or file page)";
            }
            URI uri;
            try {
                uri = URI.create(origin);
            } catch (IllegalArgumentException e) {
                return "cross-origin write refused: malformed Origin \"" + origin + "\"";
            }
            String own = "http://" + hostHeader;
            if (!("http".equals(uri.getScheme()) && hostHeader.equalsIgnoreCase(uri.getRawAuthority()))) {
                return "cross-origin write refused: Origin " + origin + " is not this dashboard (" + own + ")";
            }
            return null;
        }
        if (secFetchSite != null && !secFetchSite.equals("same-origin") && !secFetchSite.equals("none")) {
            return "cross-origin write refused: Sec-Fetch-Site is " + secFetchSite;
        }
        return null;
    }

    /** "127.0.0.1:5001" to "127.0.0.1", "[::1]:5001" to "[::1]". */
    static String hostName(String hostHeader) {
        if (hostHeader.startsWith("[")) {
            int end = hostHeader.indexOf(']');
            return end < 0 ? hostHeader : hostHeader.substring(0, end + 1);
        }
        int colon = hostHeader.indexOf(':');
        return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
    }
}
