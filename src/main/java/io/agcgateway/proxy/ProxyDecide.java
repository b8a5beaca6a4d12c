package io.agcgateway.proxy;

import io.agcgateway.http.vertx.VertxAnswer;
import io.agcgateway.http.vertx.UpstreamAnswer;
import java.time.Clock;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.AsyncProcessorSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route step {@code proxyDecide}: reads what the attempt got (an answer, or the failure the route caught) and sets the
 * variable {@code proxyDecision} — relay, retry (after {@code proxyWaitMs}) or refresh — from {@link AttemptRules}.
 * An answer to relay that is small is read here first, so a provider breaking off mid-body is still a failure the
 * rules can retry. A failure that ends the call is thrown as the gateway's own error.
 */
public final class ProxyDecide extends AsyncProcessorSupport implements AsyncProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyDecide.class);
    static final String DECISION = "proxyDecision";
    static final String WAIT = "proxyWaitMs";

    private final AttemptRules rules;
    private final Clock clock;
    private final int replayLimit;

    public ProxyDecide(AttemptRules rules, Clock clock, int replayLimit) {
        this.rules = rules;
        this.clock = clock;
        this.replayLimit = replayLimit;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        ProxyCall call = exchange.getProperty(ProxyCall.PROPERTY, ProxyCall.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Message m = exchange.getMessage();
        if (failure != null || !(m.getBody() instanceof UpstreamAnswer res)) {
            apply(exchange, rules.afterFailure(call, failure, clock.millis()));
            callback.done(true);
            return true;
        }
        int status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        AttemptDecision d = rules.afterAnswer(call, status, res::header, clock.millis());
        if (d.kind().equals(AttemptDecision.REDIRECT)) {
            VertxAnswer.release(res);
            call.redirected(d.target(), status);
            apply(exchange, d);
            callback.done(true);
            return true;
        }
        if (d.kind().equals(AttemptDecision.REFRESH)) {
            apply(exchange, d); // the 401 is held: proxyRefresh may decide to relay it
            callback.done(true);
            return true;
        }
        if (!d.kind().equals(AttemptDecision.RELAY)) {
            VertxAnswer.release(res); // the connection goes back before the next try
            apply(exchange, d);
            callback.done(true);
            return true;
        }
        AnswerBody.read(res, replayLimit).onComplete(body -> {
            if (body.succeeded()) {
                m.setBody(body.result());
                apply(exchange, d);
            } else {
                VertxAnswer.release(res);
                m.setBody(null);
                // broken off after the answer began: never the free retry of a stale pooled connection
                apply(exchange, rules.afterFailure(call, new java.io.IOException("answer broken off", body.cause()), clock.millis()));
            }
            callback.done(false);
        });
        return false;
    }

    private static void apply(Exchange exchange, AttemptDecision d) {
        if (d.kind().equals(AttemptDecision.FAIL)) {
            ProxyCall call = exchange.getProperty(ProxyCall.PROPERTY, ProxyCall.class);
            Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            LOG.warn("proxy upstream failure; integration={} connection={} route=api-proxy exchange={} reason={} cause={}",
                    call.integrationKey, call.connectionId, exchange.getExchangeId(), d.reason(),
                    t == null ? "answer broken off" : t.getClass().getSimpleName());
            exchange.setException(d.error());
            return;
        }
        exchange.setVariable(DECISION, d.kind());
        exchange.setVariable(WAIT, d.waitMs());
    }
}
