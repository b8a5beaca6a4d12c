package io.agcgateway.http.vertx;

import io.agcgateway.auth.ApiKeyAuth;
import io.agcgateway.auth.OperatorKeyAuth;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.Json;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;

/**
 * The first handler of the HTTP router: it guards the bodies Vert.x's body handler would buffer on the heap before any
 * route step (the API key check included) runs. Routes that read their body themselves (the proxy, the sandbox echo:
 * {@code useBodyHandler=false} or {@code useStreaming=true}) are left alone — they stream and set their own limits.
 * For every route, a request target (path and query) longer than {@code gateway.http.max-uri-length} gets a JSON 414
 * (Vert.x's own decoder only refuses far longer lines, with a bare 414 and an immediate close).
 * For every other route:
 * <ul>
 * <li>on a route whose first step is the secret-key check ({@code apiKeyAuth}), a request with a body and a wrong or
 * missing key gets that check's 401 before a byte of the body is read (without a key nobody makes the gateway buffer
 * a megabyte);</li>
 * <li>a declared {@code Content-Length} above {@code gateway.api.max-body-bytes} is refused with 413 before a byte of
 * the body is read;</li>
 * <li>a body that grows past it while arriving (chunked) is cut by the body handler's limit
 * ({@code camel.server.max-body-size}), answered here with the same 413;</li>
 * <li>a body not complete within {@code gateway.api.body-timeout} gets 408 (the idle timeout alone lets a sender that
 * trickles a byte a minute hold the connection forever).</li>
 * </ul>
 * A refused request's connection is closed after a short linger that discards what the client still sends, so the
 * client reads the answer instead of a reset (nginx's lingering close).
 */
public final class RequestGuard implements Handler<RoutingContext> {
    private static final long LINGER_MS = 2_000;
    /** Headers naming what a request acts on: two values would leave the choice to whichever reader comes first. */
    private static final List<String> UNIQUE_HEADERS = List.of("Connection-Id", "Provider-Config-Key", "Authorization");
    private final long maxBytes;
    private final long bodyTimeoutMs;
    private final int maxUriLength;
    private volatile int maxHeaderBytes = 32_768;
    private volatile int maxHeaderCount = 100;
    private final List<Pattern> streamed;
    private final List<Keyed> keyed;
    private final List<Keyed> served;
    private final ApiKeyAuth apiKey;
    /** Jolokia's check and the operatorKeyAuth routes': the secret key, and the operator key once jolokia() names it. */
    private volatile OperatorKeyAuth operatorKey;
    private volatile String jolokiaPath = "/observe/jolokia";
    private final java.util.concurrent.atomic.AtomicLong malformed = new java.util.concurrent.atomic.AtomicLong();

    /** A served path and its methods; {@code operator}: the route opens with the operator key too (operatorKeyAuth). */
    record Keyed(Pattern path, Set<String> methods, boolean operator) {
        Keyed(Pattern path, Set<String> methods) {
            this(path, methods, false);
        }

        boolean matches(String method, String p) {
            return (methods.isEmpty() || methods.contains(method)) && path.matcher(p).matches();
        }
    }

    RequestGuard(long maxBytes, Duration bodyTimeout, int maxUriLength, List<Pattern> streamed) {
        this(maxBytes, bodyTimeout, maxUriLength, streamed, List.of(), List.of(), null);
    }

    RequestGuard(long maxBytes, Duration bodyTimeout, int maxUriLength, List<Pattern> streamed, List<Keyed> keyed, List<Keyed> served,
            ApiKeyAuth apiKey) {
        this.keyed = List.copyOf(keyed);
        this.served = List.copyOf(served);
        this.apiKey = apiKey;
        this.operatorKey = apiKey == null ? null : new OperatorKeyAuth(apiKey, null);
        this.maxBytes = maxBytes;
        this.maxUriLength = maxUriLength;
        this.bodyTimeoutMs = Math.max(1, bodyTimeout.toMillis());
        this.streamed = List.copyOf(streamed);
    }

    /** A guard for the routes of {@code ctx}: the paths of its platform-http endpoints that read their own body pass. */
    public static RequestGuard of(CamelContext ctx, long maxBytes, Duration bodyTimeout, int maxUriLength, ApiKeyAuth apiKey) {
        List<Pattern> streamed = new ArrayList<>();
        List<Keyed> served = new ArrayList<>();
        for (var endpoint : ctx.getEndpoints()) {
            if (endpoint instanceof PlatformHttpEndpoint p) {
                if (p.isUseStreaming() || !p.isUseBodyHandler()) {
                    streamed.add(pathPattern(p.getPath(), p.isMatchOnUriPrefix()));
                }
                served.add(new Keyed(pathPattern(p.getPath(), p.isMatchOnUriPrefix()), methods(p.getHttpMethodRestrict())));
            }
        }
        // camel.management's endpoints (health, metrics, info) share the port and answer GET only
        String management = ctx.getPropertiesComponent().resolveProperty("camel.management.path").orElse("/observe");
        served.add(new Keyed(pathPattern(management + "/*", true), Set.of("GET")));
        return new RequestGuard(maxBytes, bodyTimeout, maxUriLength, streamed, keyedRoutes(ctx), served, apiKey);
    }

    /**
     * The platform-http routes whose first step is {@code process: {ref: apiKeyAuth}} (or {@code operatorKeyAuth}), read
     * from the started routes.
     */
    static List<Keyed> keyedRoutes(CamelContext ctx) {
        List<Keyed> keyed = new ArrayList<>();
        Model model = ctx.getCamelContextExtension().getContextPlugin(Model.class);
        for (RouteDefinition rd : model.getRouteDefinitions()) {
            Route route = ctx.getRoute(rd.getRouteId());
            // the first real step: a routeConfiguration's onException is merged in front as an abstract output
            ProcessorDefinition<?> first = rd.getOutputs().stream().filter(o -> !o.isAbstract()).findFirst().orElse(null);
            if (route != null && route.getEndpoint() instanceof PlatformHttpEndpoint p && first instanceof ProcessDefinition step
                    && ("apiKeyAuth".equals(step.getRef()) || "operatorKeyAuth".equals(step.getRef()))) {
                keyed.add(new Keyed(pathPattern(p.getPath(), p.isMatchOnUriPrefix()), methods(p.getHttpMethodRestrict()),
                        "operatorKeyAuth".equals(step.getRef())));
            }
        }
        return keyed;
    }

    private static Set<String> methods(String restrict) {
        return restrict == null || restrict.isBlank() ? Set.of()
                : Set.of(restrict.toUpperCase(java.util.Locale.ROOT).trim().split("\\s*,\\s*"));
    }

    /** platform-http's path syntax ({@code /a/{x}/b}, a trailing {@code *}, prefix match) as a regular expression. */
    static Pattern pathPattern(String path, boolean prefix) {
        boolean star = path.endsWith("*");
        String p = star ? path.substring(0, path.length() - 1) : path;
        StringBuilder re = new StringBuilder();
        for (String part : p.split("(?=\\{)|(?<=\\})")) {
            re.append(part.startsWith("{") && part.endsWith("}") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(re + (star || prefix ? ".*" : "/?"));
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (req.uri().length() > maxUriLength) {
            refuse(ctx, 414, "uri_too_long", "The request target is longer than " + maxUriLength + " characters.");
            return;
        }
        String headerProblem = headerProblem(req);
        if ("".equals(headerProblem)) {
            refuse(ctx, 431, "request_header_too_large", "The request headers are larger than " + maxHeaderBytes + " bytes or more than "
                    + maxHeaderCount + " fields.");
            return;
        }
        if (!validEscapes(req.uri())) {
            // answered and counted, never logged: a stack trace per request was a log flood anyone could start
            malformed.incrementAndGet();
            refuse(ctx, 400, "invalid_request", "The request URI has a malformed %-escape (a '%' must be followed by two hex digits).");
            return;
        }
        // the path the router matches (dot segments removed): /proxy/../connect/sessions is not the proxy's
        String path = ctx.normalizedPath();
        if (operatorKey != null && path != null && path.startsWith(jolokiaPath)) {
            // JMX over HTTP: the secret key or the operator's read-only key; jolokia-access.xml refuses exec and write
            try {
                operatorKey.check(req.getHeader(HttpHeaders.AUTHORIZATION));
            } catch (GatewayException e) {
                refuse(ctx, e.status(), e.code(), e.getMessage());
                return;
            }
        }
        String te = req.getHeader(HttpHeaders.TRANSFER_ENCODING);
        if (te != null && !te.trim().equalsIgnoreCase("chunked")) {
            refuse(ctx, 501, "not_implemented", "Transfer-Encoding " + printable(te) + " is not supported; send chunked or a Content-Length.");
            return;
        }
        if (headerProblem != null) {
            refuse(ctx, 400, "invalid_request", "The " + headerProblem + " header is sent more than once.");
            return;
        }
        if (req.isEnded() || isStreamed(path)) {
            ctx.next();
            return;
        }
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && declaredTooLarge(length.trim())) {
            tooLarge(ctx);
            return;
        }
        if (length == null && req.getHeader(HttpHeaders.TRANSFER_ENCODING) == null) {
            ctx.next();
            return;
        }
        Keyed route = apiKey == null ? null : keyedRoute(req.method().name(), path);
        if (route != null) {
            try {
                String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
                if (route.operator()) {
                    operatorKey.check(auth);
                } else {
                    apiKey.check(auth);
                }
            } catch (GatewayException e) {
                refuse(ctx, e.status(), e.code(), e.getMessage());
                return;
            }
        }
        long timer = ctx.vertx().setTimer(bodyTimeoutMs, t -> {
            if (!req.isEnded()) {
                refuse(ctx, 408, "request_timeout", "The request body did not arrive within " + bodyTimeoutMs + " ms.");
            }
        });
        ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
        ctx.next();
    }

    /**
     * What Vert.x's decoder should accept for a line or header block this guard limits to {@code guardLimit}: more, so the
     * guard answers (JSON 414/431, clean close) before the decoder's bare refusal and immediate close.
     */
    public static int decoderLimit(int guardLimit) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(65_536L, 2L * guardLimit));
    }

    /** Header caps (gateway.http.max-header-size / max-header-count): past them 431 with the JSON error. */
    public RequestGuard headerLimits(int bytes, int count) {
        this.maxHeaderBytes = bytes;
        this.maxHeaderCount = count;
        return this;
    }

    /**
     * One pass over the request's headers: "" when they exceed the size or count cap, the name of a selector header sent
     * twice (answered after the URI and transfer-coding checks, as before), or null when they are fine.
     */
    private String headerProblem(HttpServerRequest req) {
        io.vertx.core.MultiMap headers = req.headers();
        if (headers.size() > maxHeaderCount) {
            return "";
        }
        long bytes = 0;
        int[] seen = new int[UNIQUE_HEADERS.size()];
        String repeated = null;
        for (Map.Entry<String, String> h : headers) {
            bytes += h.getKey().length() + h.getValue().length() + 4;
            for (int i = 0; i < seen.length && repeated == null; i++) {
                if (UNIQUE_HEADERS.get(i).equalsIgnoreCase(h.getKey()) && ++seen[i] > 1) {
                    repeated = UNIQUE_HEADERS.get(i);
                }
            }
        }
        return bytes > maxHeaderBytes ? "" : repeated;
    }

    /** The check for Jolokia (the secret key or the operator's read-only key), and where camel.management serves it. */
    public RequestGuard jolokia(OperatorKeyAuth operatorKeyAuth, String path) {
        this.operatorKey = operatorKeyAuth;
        this.jolokiaPath = path;
        return this;
    }

    /** Requests refused for a malformed %-escape (answered 400, not logged). */
    public long malformedUris() {
        return malformed.get();
    }

    static boolean validEscapes(String uri) {
        for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
            if (i + 2 >= uri.length() || Character.digit(uri.charAt(i + 1), 16) < 0 || Character.digit(uri.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return "'" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    /** The router's 404: no route serves this path. The JSON error, as every other answer (not Vert.x's HTML page). */
    public void notFound(RoutingContext ctx) {
        answer(ctx, 404, "not_found", "No route serves " + ctx.request().method().name() + " " + printable(ctx.normalizedPath()) + ".", null);
    }

    /** The router's 405: the path is served, not with this method (methods are case-sensitive: {@code get} is not GET). */
    public void notAllowed(RoutingContext ctx) {
        java.util.TreeSet<String> allow = new java.util.TreeSet<>();
        String path = ctx.normalizedPath();
        for (Keyed k : served) {
            if (path != null && k.path().matcher(path).matches()) {
                allow.addAll(k.methods().isEmpty() ? List.of("DELETE", "GET", "PATCH", "POST", "PUT") : k.methods());
            }
        }
        answer(ctx, 405, "method_not_allowed", "The method " + printable(ctx.request().method().name()) + " is not allowed here; allowed: "
                + String.join(", ", allow) + ".", String.join(", ", allow));
    }

    private void answer(RoutingContext ctx, int status, String code, String message, String allow) {
        if (!ctx.request().isEnded()) {
            if (allow != null) {
                ctx.response().putHeader(HttpHeaders.ALLOW, allow);
            }
            refuse(ctx, status, code, message); // a body is still coming: answer, discard it, close
            return;
        }
        HttpServerResponse res = ctx.response();
        if (res.headWritten()) {
            return;
        }
        if (allow != null) {
            res.putHeader(HttpHeaders.ALLOW, allow);
        }
        res.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader("X-Content-Type-Options", "nosniff").putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer").putHeader("Cache-Control", "no-store")
                .end(Json.write(Map.of("error", Map.of("code", code, "message", message))));
    }

    /** The router's answer when the body handler's limit cut a body that arrived without a (small enough) length. */
    public void tooLarge(RoutingContext ctx) {
        refuse(ctx, 413, "request_too_large", "The request body is larger than " + maxBytes + " bytes.");
    }

    boolean isStreamed(String path) {
        if (path == null) {
            return false;
        }
        for (Pattern p : streamed) {
            if (p.matcher(path).matches()) {
                return true;
            }
        }
        return false;
    }

    boolean isKeyed(String method, String path) {
        return keyedRoute(method, path) != null;
    }

    private Keyed keyedRoute(String method, String path) {
        if (path == null) {
            return null;
        }
        for (Keyed k : keyed) {
            if (k.matches(method, path)) {
                return k;
            }
        }
        return null;
    }

    private boolean declaredTooLarge(String length) {
        // more digits than a long holds is too large as well; a malformed value is the HTTP codec's to refuse
        if (!length.matches("\\d+")) {
            return false;
        }
        return length.length() > 18 || Long.parseLong(length) > maxBytes;
    }

    private static void refuse(RoutingContext ctx, int status, String code, String message) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse res = ctx.response();
        HttpConnection conn = req.connection();
        if (res.headWritten() || res.closed()) {
            if (req.version() == HttpVersion.HTTP_2) {
                res.reset();
            } else {
                conn.close();
            }
            return;
        }
        String body = Json.write(Map.of("error", Map.of("code", code, "message", message)));
        if (req.version() != HttpVersion.HTTP_2) {
            res.putHeader(HttpHeaders.CONNECTION, "close");
        }
        Future<Void> written = res.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-store")
                .end(body);
        if (req.version() == HttpVersion.HTTP_2) {
            // one stream of a shared connection: discard the rest of this stream's body, reset the stream after the linger
            if (!req.isEnded()) {
                req.handler(discarded -> { });
                req.resume();
                ctx.vertx().setTimer(LINGER_MS, t -> {
                    if (!req.isEnded()) {
                        res.reset();
                    }
                });
            }
            return;
        }
        if (req.isEnded()) {
            written.onComplete(v -> conn.close());
            return;
        }
        req.handler(discarded -> { });
        req.endHandler(v -> written.onComplete(w -> conn.close()));
        req.exceptionHandler(e -> conn.close());
        req.resume();
        ctx.vertx().setTimer(LINGER_MS, t -> conn.close());
    }
}
