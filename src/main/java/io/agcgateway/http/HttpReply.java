package io.agcgateway.http;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a route's result into the HTTP answer. platform-http sends every message header back to the
 * caller, so all of them are dropped first and only the response headers we choose are set.
 */
public final class HttpReply {
    public static final String STATUS = "gateway.status";
    /** A Map of response headers a step decided on (CORS), written with the answer, the error answer included. */
    public static final String EXTRA_HEADERS = "gateway.reply-headers";
    private static final Logger LOG = LoggerFactory.getLogger(HttpReply.class);

    /** The body is a Map/record/list to serialise; the status comes from the {@value #STATUS} property (default 200). */
    public void json(Exchange exchange) {
        Message m = exchange.getMessage();
        Object body = m.getBody();
        Integer status = exchange.getProperty(STATUS, 200, Integer.class);
        m.removeHeaders("*");
        securityHeaders(m);
        extraHeaders(exchange);
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (status == 204 || body == null) {
            m.setBody(null);
            return;
        }
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(body instanceof String s ? s : Json.write(body));
    }

    public void html(Exchange exchange) {
        Message m = exchange.getMessage();
        Integer status = exchange.getProperty(STATUS, 200, Integer.class);
        String body = m.getBody(String.class);
        m.removeHeaders("*");
        securityHeaders(m);
        m.setHeader("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        m.setBody(body);
    }

    /** Error shape of docs/ARCHITECTURE.md "API and errors", from a GatewayException or anything unexpected (which becomes a 500 without details). */
    public void error(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        GatewayException ge = unwrap(t);
        if (ge == null) {
            LOG.error("unexpected failure in route {} ({})", exchange.getFromRouteId(),
                    t == null ? "unknown" : t.getClass().getName() + ": " + Redact.text(String.valueOf(t.getMessage())));
            ge = new GatewayException(500, "server_error", "An unexpected error occurred. The gateway log has the details.");
        }
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("code", ge.code());
        err.put("message", ge.getMessage());
        if (ge.errors() != null) {
            err.put("errors", ge.errors());
        }
        if (ge.payload() != null) {
            err.put("payload", ge.payload());
        }
        exchange.setProperty(STATUS, ge.status());
        exchange.getMessage().setBody(Map.of("error", err));
        json(exchange);
        if (ge.retryAfterSeconds() > 0) {
            exchange.getMessage().setHeader("Retry-After", String.valueOf(ge.retryAfterSeconds()));
        }
    }

    public static GatewayException unwrap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof GatewayException g) {
                return g;
            }
        }
        return fromDatabase(t);
    }

    /**
     * What a database failure means to the caller, without its message (which may quote the value): a value longer
     * than its column (SQLSTATE 22001, H2 and PostgreSQL alike) is the request's fault, 400; no connection to the
     * database (the pool's wait ran out, a connection that broke: SQLSTATE class 08, PostgreSQL's 57P0x) is 503 with
     * Retry-After. Anything else stays a 500.
     */
    static GatewayException fromDatabase(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException sql) {
                String state = sql.getSQLState() == null ? "" : sql.getSQLState();
                if (state.equals("22001")) {
                    return GatewayException.invalidBody(null, "A value in the request is longer than the gateway stores; "
                            + "docs/ARCHITECTURE.md lists the limits.");
                }
                if (io.agcgateway.store.Database.connectionLost(sql)) {
                    return new GatewayException(503, "database_unavailable",
                            "The gateway's database is unavailable; retry shortly.").retryAfter(5);
                }
            }
            if (c instanceof org.springframework.jdbc.CannotGetJdbcConnectionException
                    || c instanceof org.springframework.dao.DataAccessResourceFailureException) {
                return new GatewayException(503, "database_unavailable", "The gateway's database is unavailable; retry shortly.")
                        .retryAfter(5);
            }
        }
        return null;
    }

    private static void extraHeaders(Exchange exchange) {
        Map<?, ?> extra = exchange.getProperty(EXTRA_HEADERS, Map.class);
        if (extra != null) {
            extra.forEach((k, v) -> exchange.getMessage().setHeader(String.valueOf(k), v));
        }
    }

    static void securityHeaders(Message m) {
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("Cache-Control", "no-store");
        m.setHeader("Referrer-Policy", "no-referrer");
        m.setHeader("X-Frame-Options", "DENY");
    }
}
