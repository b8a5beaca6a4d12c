package io.agcgateway.proxy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.Set;

/**
 * One proxied call across its attempts. Fields set once by {@link ProxyRequest} are final in spirit; what changes is
 * changed only through the named transitions below.
 */
final class ProxyCall {
    static final String PROPERTY = "proxyCall";

    final long startNanos = System.nanoTime();
    final long startMs;
    final HttpServerRequest caller;
    final String method;
    final String integrationKey;
    final String connectionId;
    final String rawPath;
    final String rawQuery;
    final int retries;
    final Set<Integer> retryOn;
    final Map<String, Object> forward;
    final String overrideBase;
    final boolean forwardOnRedirect;

    private TokenCache.Entry entry;
    /** The catalog's proxy.headers, filled for this connection. */
    private Map<String, Object> catalogHeaders = Map.of();
    private String base;
    private String path;
    /** The body to send on every attempt (replayable), or null when there is none or it is streamed once. */
    private Buffer replayBody;
    private boolean streamed;
    private boolean streamSent;
    private int attempts;
    private long waitedMs;
    private boolean refreshed;
    private boolean staleRetried;
    private Map<String, Object> relayedHeaders;
    /** After a followed redirect: where the next attempt goes (null: the provider's base URL and the call's path). */
    private String hopOrigin;
    private String hopPath;
    private String hopQuery;
    private String hopMethod;
    private boolean crossHost;
    private int redirects;

    ProxyCall(long startMs, HttpServerRequest caller, String method, String integrationKey, String connectionId,
              String rawPath, String rawQuery, int retries, Set<Integer> retryOn, Map<String, Object> forward, String overrideBase,
              boolean forwardOnRedirect) {
        this.startMs = startMs;
        this.caller = caller;
        this.method = method;
        this.integrationKey = integrationKey;
        this.connectionId = connectionId;
        this.rawPath = rawPath;
        this.rawQuery = rawQuery;
        this.retries = retries;
        this.retryOn = retryOn;
        this.forward = forward;
        this.overrideBase = overrideBase;
        this.forwardOnRedirect = forwardOnRedirect;
    }

    // ---- transitions ----

    /** The connection's token is known: the upstream base URL and the provider path follow from it. */
    void resolved(TokenCache.Entry e, String base, String path, Map<String, Object> catalogHeaders) {
        this.entry = e;
        this.base = base;
        this.path = path;
        this.catalogHeaders = catalogHeaders;
    }

    void bodyKept(Buffer body) {
        this.replayBody = body;
    }

    void bodyStreamed() {
        this.streamed = true;
    }

    /** A streamed body the caller has not finished sending (the upstream may be waiting for it, not failing). */
    boolean callerStillSending() {
        return streamed && caller != null && !caller.isEnded();
    }

    /** The next attempt starts; a streamed body is sent on the first one only. */
    void attemptStarted() {
        attempts++;
        if (streamed) {
            streamSent = true;
        }
    }

    void waited(long ms) {
        waitedMs += ms;
    }

    /** After an upstream 401: the token was refreshed once; a second 401 is relayed. */
    void tokenRefreshed(TokenCache.Entry fresh) {
        this.refreshed = true;
        this.entry = fresh;
    }

    /**
     * The provider redirected to an allowed {@code target}. 303 (and 301/302 after a POST, as browsers do) turn the
     * next request into a GET without a body; 307/308 keep method and body.
     */
    void redirected(java.net.URI target, int status) {
        redirects++;
        hopOrigin = Redirects.origin(target);
        hopPath = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        hopQuery = target.getRawQuery();
        if (status == 303 || (status == 301 || status == 302) && targetMethod().equals("POST")) {
            hopMethod = "GET";
        }
        // once the call has left the provider's own origin, credentials stay behind for the rest of its hops
        crossHost = crossHost || !hopOrigin.equalsIgnoreCase(Redirects.origin(java.net.URI.create(base)));
    }

    /** After an upstream 401 the token was too young to spend a rotation on: the 401 is relayed. */
    void refreshDeclined() {
        this.refreshed = true;
    }

    /** The one free retry of a call whose pooled connection was closed under it. */
    void staleRetried(boolean v) {
        this.staleRetried = v;
    }

    boolean staleRetried() {
        return staleRetried;
    }

    void relayed(Map<String, Object> headers) {
        this.relayedHeaders = headers;
    }

    // ---- reads ----

    /** The provider's rate-limit headers (catalog {@code proxy.retry}); none before the token is known. */
    io.agcgateway.catalog.RetryHeaders retryHeaders() {
        return entry == null ? io.agcgateway.catalog.RetryHeaders.NONE : entry.provider().retryHeaders();
    }

    Map<String, Object> catalogHeaders() {
        return catalogHeaders;
    }

    TokenCache.Entry entry() {
        return entry;
    }

    String base() {
        return base;
    }

    String path() {
        return path;
    }

    Buffer replayBody() {
        return "GET".equals(hopMethod) ? null : replayBody;
    }

    /** The base URL of the next attempt: the provider's, or a redirect's origin. */
    String targetBase() {
        return hopOrigin != null ? hopOrigin : base;
    }

    String targetPath() {
        return hopOrigin != null ? hopPath : path;
    }

    String targetQuery() {
        return hopOrigin != null ? hopQuery : rawQuery;
    }

    String targetMethod() {
        return hopMethod != null ? hopMethod : method;
    }

    int redirects() {
        return redirects;
    }

    /**
     * Credentials go only to the provider's own host: after a hop to another host the bearer token (or the caller's
     * own Authorization) is dropped unless the caller sent {@code Forward-Headers-On-Redirect: true}, as in Nango.
     */
    boolean sendsCredentials() {
        return !crossHost || forwardOnRedirect;
    }

    boolean streamsBody() {
        return streamed;
    }

    /** Another attempt can send the same request: its body was kept, or there is none. */
    boolean replayable() {
        return !streamed || !streamSent;
    }

    int attempts() {
        return attempts;
    }

    long waitedMs() {
        return waitedMs;
    }

    boolean refreshed() {
        return refreshed;
    }

    Map<String, Object> relayedHeaders() {
        return relayedHeaders;
    }

    boolean callerAuthorization() {
        return ProxyHeaders.callerAuthorization(forward);
    }
}
