package io.agcgateway.webhooks;

import io.agcgateway.http.Version;
import io.agcgateway.http.OutboundCall;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of route webhooks around its camel-http call: sign a queued webhook like Nango (X-Nango-Hmac-Sha256,
 * legacy X-Nango-Signature), then record the outcome. The retries (5xx and network errors only, exponential backoff)
 * are the route's redelivery policy; a 3xx or 4xx is the receiver's final word.
 */
public final class WebhookDelivery implements Processor {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
    private static final String MESSAGE = "gatewayWebhook";
    private static final String STARTED = "gatewayWebhookStarted";
    private static final String ATTEMPTS = "gatewayWebhookAttempts";

    private final String secret;
    private final int retries;
    private final OperationLog log;
    private final Clock clock;

    /** @param retries attempts after the first on a 5xx or a network error (gateway.webhook.retries) */
    public WebhookDelivery(String secret, int retries, OperationLog log, Clock clock) {
        this.secret = secret;
        this.retries = retries;
        this.log = log;
        this.clock = clock;
    }

    public static String hmacHex(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deprecated by Nango (length extension), still sent because older receivers verify it. */
    public static String legacySignature(String secret, String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((secret + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** First step: the signed request for the toD that follows. */
    public void prepare(Exchange ex) {
        WebhookEvents.Message m = ex.getMessage().getBody(WebhookEvents.Message.class);
        ex.setProperty(MESSAGE, m);
        ex.setProperty(STARTED, clock.millis());
        ex.setProperty(ATTEMPTS, 1);
        ex.setProperty(OutboundCall.URL, m.url());
        Message out = ex.getMessage();
        out.setHeader("Content-Type", "application/json");
        out.setHeader("User-Agent", Version.USER_AGENT);
        out.setHeader("X-Nango-Hmac-Sha256", hmacHex(secret, m.body()));
        out.setHeader("X-Nango-Signature", legacySignature(secret, m.body()));
        out.setBody(m.body());
    }

    /**
     * The redelivery policy's onRedelivery hook, run before each retry: counts the attempt (Camel drops its own
     * redelivery counter once the retries are exhausted, when {@link #failed} needs it).
     */
    @Override
    public void process(Exchange ex) {
        ex.setProperty(ATTEMPTS, ex.getProperty(ATTEMPTS, 1, Integer.class) + 1);
    }

    /** The route's retryWhile: another attempt while the retries are not used up. */
    public boolean retryAgain(Exchange ex) {
        return ex.getProperty(ATTEMPTS, 1, Integer.class) <= retries;
    }

    /** The receiver answered below 500 (the route's ok range): 2xx delivered, anything else refused for good. */
    public void answered(Exchange ex) {
        int status = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        finish(ex, status / 100 == 2, "http_" + status, status);
    }

    /** Redeliveries exhausted on a 5xx or a network error, or a request that could not be sent at all. */
    public void failed(Exchange ex) {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof HttpOperationFailedException h) {
            finish(ex, false, "http_" + h.getStatusCode(), h.getStatusCode());
        } else {
            finish(ex, false, e == null ? "network_error" : OutboundCall.reason(e), null);
        }
    }

    private void finish(Exchange ex, boolean ok, String outcome, Integer status) {
        WebhookEvents.Message m = ex.getProperty(MESSAGE, WebhookEvents.Message.class);
        int attempts = ex.getProperty(ATTEMPTS, 1, Integer.class);
        if (!ok) {
            LOG.warn("webhook delivery failed; integration={} connection={} action={} reason={} attempts={}", m.integrationKey(),
                    m.connectionId(), m.action(), outcome, attempts);
        }
        record(m, ok, outcome, status, attempts, ex.getProperty(STARTED, clock.millis(), Long.class));
    }

    private void record(WebhookEvents.Message m, boolean ok, String outcome, Integer status, int attempts, long started) {
        long now = clock.millis();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("url", m.url().replaceAll("\\?.*$", "?REDACTED"));
        meta.put("outcome", outcome);
        meta.put("attempts", attempts);
        meta.put("body", io.agcgateway.http.Json.read(m.body()));
        log.submit(new Operation("webhook", m.action(), ok ? "success" : "failed", m.integrationKey(), m.connectionId(),
                ok ? "Webhook delivered" : "Webhook delivery failed (" + outcome + ")", ok ? null : outcome, status, attempts,
                now - started, null, null, meta, started, now));
    }
}
