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

    private TokenCache.Entry entry;
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

    ProxyCall(long startMs, HttpServerRequest caller, String method, String integrationKey, String connectionId,
              String rawPath, String rawQuery, int retries, Set<Integer> retryOn, Map<String, Object> forward, String overrideBase) {
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
    }

    // ---- transitions ----

    /** The connection's token is known: the upstream base URL and the provider path follow from it. */
    void resolved(TokenCache.Entry e, String base, String path) {
        this.entry = e;
        this.base = base;
        this.path = path;
    }

    void bodyKept(Buffer body) {
        this.replayBody = body;
    }

    void bodyStreamed() {
        this.streamed = true;
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

    /** The provider's rate-limit reset headers (catalog {@code proxy.retry.at}); none before the token is known. */
    java.util.List<String> retryAtHeaders() {
        return entry == null ? java.util.List.of() : entry.provider().retryAtHeaders();
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
        return replayBody;
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
