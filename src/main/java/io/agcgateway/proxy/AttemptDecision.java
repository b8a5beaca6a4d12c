package io.agcgateway.proxy;

import io.agcgateway.http.GatewayException;

/**
 * What happens after one attempt: the route's loop reads {@link #kind()} (relay ends it; retry waits then tries
 * again; refresh forces a token refresh then replays; redirect tries again at {@link #target()}). {@code fail}
 * carries the gateway's own error.
 */
record AttemptDecision(String kind, long waitMs, GatewayException error, String reason, java.net.URI target) {
    static final String RELAY = "relay";
    static final String REDIRECT = "redirect";
    static final String RETRY = "retry";
    static final String REFRESH = "refresh";
    static final String FAIL = "fail";

    static AttemptDecision relay(String reason) {
        return new AttemptDecision(RELAY, 0, null, reason, null);
    }

    static AttemptDecision retry(long waitMs, String reason) {
        return new AttemptDecision(RETRY, waitMs, null, reason, null);
    }

    static AttemptDecision refresh() {
        return new AttemptDecision(REFRESH, 0, null, "upstream_401", null);
    }

    /** The provider redirected to an allowed host: the next attempt goes there. */
    static AttemptDecision redirect(java.net.URI target) {
        return new AttemptDecision(REDIRECT, 0, null, "redirect", target);
    }

    static AttemptDecision fail(GatewayException e) {
        return new AttemptDecision(FAIL, 0, e, e.code(), null);
    }
}
