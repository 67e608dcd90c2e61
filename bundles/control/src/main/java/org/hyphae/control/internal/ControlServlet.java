package org.hyphae.control.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.hyphae.exchange.BlockExchange;
import org.hyphae.files.FileSharing;
import org.hyphae.files.ImportOptions;
import org.hyphae.identity.Identity;
import org.hyphae.identity.PeerId;
import org.hyphae.ledger.Ledger;
import org.hyphae.ledger.LedgerStatus;
import org.hyphae.ledger.Transaction;
import org.hyphae.multiformats.Cid;
import org.hyphae.node.AreaStatus;
import org.hyphae.node.Implementation;
import org.hyphae.node.ImplementationState;
import org.hyphae.node.NodeStatus;
import org.hyphae.transport.Connection;
import org.hyphae.transport.Host;
import org.hyphae.transport.Multiaddr;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * The control API of the {@code hyphae} command line, under {@code /control/}: {@code GET status},
 * {@code POST add} {@code {"path"}}, {@code POST get} {@code {"cid", "path"}} and {@code POST
 * tx-send} {@code {"to", "amount", "fee"?, "wait"?}} (the last two answer with a stream of
 * progress events). Every request needs the token of {@link ControlFile} and must come from
 * loopback; refusals are a 4xx with {@code {"error": "<reason>"}}, an area this node lacks is 503.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/control/*",
        "osgi.http.whiteboard.servlet.name=hyphae-control"})
public final class ControlServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final long MAX_WAIT_S = 3600;

    @Reference
    private transient ControlFile access;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Host host;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Identity identity;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile FileSharing files;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile BlockExchange exchange;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Ledger ledger;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile NodeStatus status;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            if (!loopback(request.getRemoteAddr())) {
                throw new RequestRefused(403, "the control API answers only on loopback, not to " + request.getRemoteAddr());
            }
            if (!access.authorizes(request.getHeader("Authorization"))) {
                response.setHeader("WWW-Authenticate", "Bearer");
                throw new RequestRefused(401, "missing or wrong token: send \"Authorization: Bearer <token>\" with the token"
                        + " from the node's " + ControlFile.FILE_NAME);
            }
            String path = request.getPathInfo() == null ? "" : request.getPathInfo();
            switch (path) {
                case "/status" -> {
                    method(request, response, "GET");
                    json(response, 200, status());
                }
                case "/add" -> {
                    method(request, response, "POST");
                    json(response, 200, add(request));
                }
                case "/get" -> {
                    method(request, response, "POST");
                    get(request, response);
                }
                case "/tx-send" -> {
                    method(request, response, "POST");
                    txSend(request, response);
                }
                default -> throw new RequestRefused(404, "no such command: " + path
                        + " (there are /control/status, /control/add, /control/get, /control/tx-send)");
            }
        } catch (RequestRefused refused) {
            if (!response.isCommitted()) {
                error(response, refused.status(), refused.getMessage());
            }
        }
    }

    private static boolean loopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void method(HttpServletRequest request, HttpServletResponse response, String allowed) throws RequestRefused {
        if (!request.getMethod().equals(allowed)) {
            response.setHeader("Allow", allowed);
            throw new RequestRefused(405, request.getPathInfo() + " takes " + allowed + ", not " + request.getMethod());
        }
    }

    private static <T> T need(T service, String what) throws RequestRefused {
        if (service == null) {
            throw new RequestRefused(503, "this node has no " + what + " running");
        }
        return service;
    }

    private JsonObject status() {
        JsonObject out = new JsonObject();
        Host h = host;
        Identity id = identity;
        out.addProperty("peerId", id != null ? id.peerId().toString() : h != null ? h.localPeer().toString() : null);
        JsonArray addresses = new JsonArray();
        if (h != null) {
            for (Multiaddr a : h.listenAddresses()) {
                addresses.add(a.withPeerId(h.localPeer()).toString());
            }
            out.addProperty("peers", h.connections().stream().map(Connection::remotePeer).distinct().count());
        }
        out.add("addresses", addresses);
        JsonArray areas = new JsonArray();
        NodeStatus s = status;
        if (s != null) {
            for (AreaStatus area : s.areas()) {
                JsonObject a = new JsonObject();
                a.addProperty("area", area.area());
                JsonArray active = new JsonArray();
                for (Implementation i : area.implementations()) {
                    if (i.state() == ImplementationState.ACTIVE) {
                        active.add(i.name());
                    }
                }
                a.add("active", active);
                areas.add(a);
            }
        }
        out.add("areas", areas);
        Ledger l = ledger;
        if (l != null) {
            LedgerStatus ls = l.status();
            JsonObject chain = new JsonObject();
            chain.addProperty("id", ls.chainId());
            chain.addProperty("height", ls.head().height());
            chain.addProperty("head", ls.head().hash().toString());
            chain.addProperty("engine", ls.engine());
            chain.addProperty("pending", ls.pendingTransactions());
            out.add("chain", chain);
        } else {
            out.add("chain", JsonNull.INSTANCE);
        }
        return out;
    }

    private JsonObject add(HttpServletRequest request) throws IOException, RequestRefused {
        JsonBody body = JsonBody.read(request.getContentType(), request.getInputStream(), Set.of("path"));
        Path path = body.absolutePath("path");
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new RequestRefused(400, "no such file or folder: " + path);
        }
        if (!Files.isReadable(path)) {
            throw new RequestRefused(400, "the node cannot read " + path);
        }
        FileSharing f = need(files, "file sharing (bundle org.hyphae.files)");
        Cid cid;
        try {
            cid = f.add(path, ImportOptions.defaults(), null);
        } catch (IOException e) {
            throw new RequestRefused(400, "cannot add " + path + ": " + e.getMessage());
        }
        JsonObject out = new JsonObject();
        out.addProperty("cid", cid.toString());
        out.addProperty("path", path.toString());
        return out;
    }

    private void get(HttpServletRequest request, HttpServletResponse response) throws IOException, RequestRefused {
        JsonBody body = JsonBody.read(request.getContentType(), request.getInputStream(), Set.of("cid", "path"));
        Cid root = FetchCommand.root(body.text("cid"));
        Path target = body.absolutePath("path");
        FetchCommand.checkTarget(target);
        FileSharing f = need(files, "file sharing (bundle org.hyphae.files)");
        need(exchange, "block exchange (bundle org.hyphae.exchange.bitswap)");
        FetchCommand.run(f, () -> {
            BlockExchange ex = exchange;
            return ex == null ? 0 : ex.stats().peersServing();
        }, root, target, new EventStream(response));
    }

    private void txSend(HttpServletRequest request, HttpServletResponse response) throws IOException, RequestRefused {
        JsonBody body = JsonBody.read(request.getContentType(), request.getInputStream(), Set.of("to", "amount", "fee", "wait"));
        PeerId to = TransferCommand.recipient(body.text("to"));
        long amount = body.integer("amount", 1, Long.MAX_VALUE, null);
        long fee = body.integer("fee", 0, Long.MAX_VALUE, 1L);
        long wait = body.integer("wait", 1, MAX_WAIT_S, 120L);
        Ledger l = need(ledger, "ledger (bundle org.hyphae.ledger)");
        Identity id = need(identity, "identity");
        Transaction t;
        try {
            t = TransferCommand.submit(l, id, to, amount, fee);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestRefused(503, "interrupted");
        }
        TransferCommand.await(l, t, wait, new EventStream(response));
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
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
