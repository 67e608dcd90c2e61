package org.hyphae.metrics.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code GET /metrics}: the Prometheus text format (version 0.0.4). Registered on the OSGi HTTP
 * whiteboard; the HTTP service binds to 127.0.0.1 unless the operator configures otherwise.
 * Read-only: any other method gets 405 with a reason.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/metrics",
        "osgi.http.whiteboard.servlet.name=hyphae-metrics"})
public final class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    @Reference
    private transient MetricsCollector collector;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] body = collector.scrape().getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType(CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException,
            javax.servlet.ServletException {
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.setHeader("Allow", "GET, HEAD");
            response.sendError(405, "/metrics is read-only: " + request.getMethod() + " is not allowed, use GET");
            return;
        }
        super.service(request, response);
    }
}
