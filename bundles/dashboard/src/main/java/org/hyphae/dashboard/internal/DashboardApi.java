package org.hyphae.dashboard.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.hyphae.discovery.RoutingTableView;
import org.hyphae.files.FileSharing;
import org.hyphae.ledger.Ledger;
import org.hyphae.node.AreaSelector;
import org.hyphae.node.NodeStatus;
import org.hyphae.pubsub.PubSub;
import org.hyphae.transport.Host;
import org.hyphae.transport.Ping;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The dashboard's JSON API: {@code GET /api/status} (node, peers with latency, topics, areas with
 * their selectors), {@code GET /api/routing} (the DHT's k-buckets), {@code GET /api/transfers}
 * (fetches running), {@code GET /api/chain?blocks=<n>} (head, engine, recent blocks) and
 * {@code POST /api/select} with {@code {"area": "blocks", "choice": "memory"}},
 * which asks the area's {@link AreaSelector} (a whiteboard service) to switch. Every refusal is a
 * 4xx with a JSON {@code {"error": "<reason>"}}.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/*",
        "osgi.http.whiteboard.servlet.name=hyphae-dashboard-api"})
public final class DashboardApi extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final int MAX_BODY = 4096;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Host host;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Ping ping;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile PubSub pubsub;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile NodeStatus status;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile RoutingTableView routingTable;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile FileSharing files;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Ledger ledger;

    /** Selectors by area name; an area has at most one (the first registered wins). */
    private final transient Map<String, AreaSelector> selectors = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addSelector(AreaSelector selector, Map<String, Object> properties) {
        for (String area : areas(properties)) {
            selectors.putIfAbsent(area, selector);
        }
    }

    void removeSelector(AreaSelector selector, Map<String, Object> properties) {
        for (String area : areas(properties)) {
            selectors.remove(area, selector);
        }
    }

    private static String[] areas(Map<String, Object> properties) {
        Object value = properties.get(AreaSelector.AREA_PROPERTY);
        if (value instanceof String s) {
            return new String[] {s};
        }
        return value instanceof String[] a ? a : new String[0];
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String hostProblem = RequestGuard.checkHost(request.getHeader("Host"));
        if (hostProblem != null) {
            error(response, 403, hostProblem);
            return;
        }
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        switch (path) {
            case "/status" -> {
                if (readOnly(request, response)) {
                    json(response, 200, NodeView.status(host, ping, pubsub, status, selectors));
                }
            }
            case "/routing" -> {
                if (readOnly(request, response)) {
                    json(response, 200, ActivityView.routing(routingTable));
                }
            }
            case "/transfers" -> {
                if (readOnly(request, response)) {
                    json(response, 200, ActivityView.transfers(files));
                }
            }
            case "/chain" -> {
                if (!readOnly(request, response)) {
                    return;
                }
                int blocks;
                try {
                    blocks = ActivityView.blocks(request.getQueryString());
                } catch (IllegalArgumentException e) {
                    error(response, 400, e.getMessage());
                    return;
                }
                JsonObject chain;
                try {
                    chain = ActivityView.chain(ledger, blocks);
                } catch (IllegalStateException stopped) {
                    // A ledger stopped (a store holding another chain) says why; not a server fault.
                    error(response, 503, stopped.getMessage());
                    return;
                }
                if (chain == null) {
                    error(response, 404, "this node keeps no ledger");
                } else {
                    json(response, 200, chain);
                }
            }
            case "/select" -> {
                if (!request.getMethod().equals("POST")) {
                    response.setHeader("Allow", "POST");
                    error(response, 405, "/api/select takes POST, not " + request.getMethod());
                    return;
                }
                select(request, response);
            }
            default -> error(response, 404, "no such API: " + path
                    + " (there are /api/status, /api/routing, /api/transfers, /api/chain and /api/select)");
        }
    }

    /** True if the request is a GET; else answers 405 and returns false. */
    private static boolean readOnly(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getMethod().equals("GET")) {
            return true;
        }
        response.setHeader("Allow", "GET");
        error(response, 405, "/api" + request.getPathInfo() + " is read-only: use GET, not " + request.getMethod());
        return false;
    }

    private void select(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String refused = RequestGuard.checkWrite(request.getHeader("Host"), request.getHeader("Origin"),
                request.getHeader("Sec-Fetch-Site"));
        if (refused != null) {
            error(response, 403, refused);
            return;
        }
        String type = request.getContentType();
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            error(response, 415, "the body must be JSON (Content-Type: application/json), got " + (type == null ? "none" : type));
            return;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            error(response, 413, "the body is larger than " + MAX_BODY + " bytes");
            return;
        }
        SelectRequest parsed;
        try {
            parsed = SelectRequest.parse(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            error(response, 400, e.getMessage());
            return;
        }
        AreaSelector selector = selectors.get(parsed.area());
        if (selector == null) {
            error(response, 404, "area \"" + parsed.area() + "\" has no selector; areas with one: " + selectors.keySet());
            return;
        }
        try {
            String result = selector.select(parsed.choice());
            JsonObject ok = new JsonObject();
            ok.addProperty("area", parsed.area());
            ok.addProperty("selected", selector.selected());
            ok.addProperty("result", result);
            json(response, 200, ok);
        } catch (IllegalArgumentException e) {
            error(response, 400, e.getMessage());
        } catch (RuntimeException e) {
            error(response, 409, "cannot switch " + parsed.area() + " to " + parsed.choice() + " now: " + e.getMessage());
        }
    }

    /** The body of {@code POST /api/select}. */
    record SelectRequest(String area, String choice) {

        static SelectRequest parse(String body) {
            JsonElement root;
            try {
                root = JsonParser.parseString(body);
            } catch (JsonParseException e) {
                throw new IllegalArgumentException("the body is not valid JSON: " + e.getMessage());
            }
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException("the body must be a JSON object {\"area\": ..., \"choice\": ...}");
            }
            JsonObject o = root.getAsJsonObject();
            for (String key : o.keySet()) {
                if (!key.equals("area") && !key.equals("choice")) {
                    throw new IllegalArgumentException("unknown field \"" + key + "\" (only area and choice)");
                }
            }
            return new SelectRequest(text(o, "area"), text(o, "choice"));
        }

        private static String text(JsonObject o, String key) {
            JsonElement v = o.get(key);
            if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException("field \"" + key + "\" must be a string");
            }
            String s = v.getAsString();
            if (!s.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("field \"" + key + "\" must be 1 to 64 letters, digits, '_', '.' or '-'");
            }
            return s;
        }
    }

    private static void error(HttpServletResponse response, int status, String reason) throws IOException {
        JsonObject e = new JsonObject();
        e.addProperty("error", reason);
        json(response, status, e);
    }

    private static void json(HttpServletResponse response, int status, JsonElement body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json; charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
