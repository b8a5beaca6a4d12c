package io.agcgateway.proxy;

import io.agcgateway.catalog.RetryHeaders;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.vertx.UpstreamBusyException;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** The decision after each attempt (docs/ARCHITECTURE.md, "Proxy"). Pure: no I/O, no waiting. */
public final class AttemptRules {
    private final RetryPolicy retryPolicy;

    public AttemptRules(RetryPolicy retryPolicy) {
        this.retryPolicy = retryPolicy;
    }

    /** The provider answered with {@code status}. */
    AttemptDecision afterAnswer(ProxyCall call, int status, Function<String, String> header, long nowMs) {
        // A caller that sends its own Authorization (Nango-Proxy-Authorization) owns that credential: its 401 is
        // relayed, never answered by spending a rotation of the connection's refresh token.
        if (status == 401 && !call.refreshed() && call.replayable() && !call.callerAuthorization()) {
            return AttemptDecision.refresh();
        }
        String location = header.apply("Location");
        if (Redirects.FOLLOWED.contains(status) && location != null) {
            java.net.URI target = Redirects.target(call, location);
            boolean keepsBody = status == 307 || status == 308;
            if (target == null) {
                return AttemptDecision.fail(new GatewayException(502, "redirect_not_allowed", "The provider redirected to a host "
                        + "this gateway may not call for it (allowed: the catalog's proxy.base_url, proxy.allowed_base_urls and "
                        + "proxy.redirect_hosts hosts); nothing was sent there."));
            }
            if (call.redirects() >= Redirects.MAX_HOPS) {
                return AttemptDecision.fail(new GatewayException(502, "too_many_redirects",
                        "The provider redirected more than " + Redirects.MAX_HOPS + " times."));
            }
            if (keepsBody && !call.replayable()) {
                return AttemptDecision.relay("redirect_needs_the_streamed_body"); // 307/308 after a streamed upload
            }
            return AttemptDecision.redirect(target);
        }
        if (call.attempts() <= call.retries && call.replayable() && RetryPolicy.retryable(status, call.retryOn)) {
            long wait = retryPolicy.waitMs(call.attempts(), header, call.retryHeaders(), call.waitedMs(), nowMs);
            if (wait >= 0) {
                return AttemptDecision.retry(wait, "upstream_" + status);
            }
        }
        return AttemptDecision.relay("upstream_" + status);
    }

    /** The attempt got no usable answer: a network error, a timeout, or an answer broken off mid-body. */
    AttemptDecision afterFailure(ProxyCall call, Throwable t, long nowMs) {
        if (t instanceof UpstreamBusyException) {
            // the provider was never asked: Retries do not apply, the caller is told to come back
            return AttemptDecision.fail(new GatewayException(503, "upstream_busy",
                    "Every connection to the provider is in use; try again shortly."));
        }
        if (t instanceof HttpClosedException && call.replayable() && !call.staleRetried()) {
            // a pooled keep-alive connection the provider closed as we sent on it: nothing was answered, so the
            // request is sent once more on a new connection (as nginx's proxy_next_upstream does), Retries or not
            call.staleRetried(true);
            return AttemptDecision.retry(0, "stale_connection");
        }
        if (call.attempts() <= call.retries && call.replayable()) {
            long wait = retryPolicy.waitMs(call.attempts(), null, RetryHeaders.NONE, call.waitedMs(), nowMs);
            if (wait >= 0) {
                return AttemptDecision.retry(wait, "upstream_failure");
            }
        }
        if (timeout(t) && call.callerStillSending()) {
            // the provider waited for a body the caller stopped sending (RFC 9110 §15.5.9): the caller's timeout, not ours
            return AttemptDecision.fail(new GatewayException(408, "request_timeout",
                    "The request body stopped arriving before the provider answered."));
        }
        return AttemptDecision.fail(timeout(t)
                ? new GatewayException(504, "upstream_timeout", "The provider did not answer in time.")
                : new GatewayException(502, "upstream_unreachable", "The provider could not be reached."));
    }

    /** Vert.x reports idle and connect timeouts as TimeoutException subclasses or Netty's ConnectTimeoutException. */
    static boolean timeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("TimeoutException")) {
                return true;
            }
            if (c instanceof ConnectException) {
                return false;
            }
        }
        return false;
    }
}
