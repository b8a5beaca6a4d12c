package io.agcgateway.webhooks;

import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one queued webhook (route webhooks): signed like Nango (X-Nango-Hmac-Sha256, legacy X-Nango-Signature),
 * retried with exponential backoff on 5xx and network errors only (3xx/4xx are the receiver's final word).
 */
public final class WebhookDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);

    private final HttpClient http;
    private final String secret;
    private final int retries;
    private final Duration backoff;
    private final Duration timeout;
    private final OperationLog log;
    private final Clock clock;

    public WebhookDelivery(String secret, int retries, Duration backoff, Duration timeout, OperationLog log, Clock clock) {
        // HTTP/1.1: on an http:// target the JDK client would otherwise send "Upgrade: h2c", which many receivers mishandle
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.secret = secret;
        this.retries = retries;
        this.backoff = backoff;
        this.timeout = timeout;
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

    public void deliver(WebhookEvents.Message m) {
        long started = clock.millis();
        int attempt = 0;
        String outcome;
        Integer status = null;
        while (true) {
            attempt++;
            HttpRequest req = HttpRequest.newBuilder(URI.create(m.url())).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", io.agcgateway.http.Version.USER_AGENT)
                    .header("X-Nango-Hmac-Sha256", hmacHex(secret, m.body()))
                    .header("X-Nango-Signature", legacySignature(secret, m.body()))
                    .POST(HttpRequest.BodyPublishers.ofString(m.body())).build();
            boolean retryable;
            try {
                HttpResponse<Void> res = http.send(req, HttpResponse.BodyHandlers.discarding());
                status = res.statusCode();
                outcome = "http_" + status;
                if (status / 100 == 2) {
                    record(m, true, outcome, status, attempt, started);
                    return;
                }
                retryable = status >= 500;
            } catch (IOException e) {
                outcome = e instanceof java.net.http.HttpTimeoutException ? "timeout" : "network_error";
                retryable = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = "interrupted";
                retryable = false;
            }
            if (!retryable || attempt > retries) {
                break;
            }
            try {
                Thread.sleep(backoff.toMillis() * (1L << (attempt - 1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.warn("webhook delivery failed; integration={} connection={} action={} reason={} attempts={}", m.integrationKey(),
                m.connectionId(), m.action(), outcome, attempt);
        record(m, false, outcome, status, attempt, started);
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
