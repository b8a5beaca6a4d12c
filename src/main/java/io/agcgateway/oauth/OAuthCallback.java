package io.agcgateway.oauth;

import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.connections.AuthEvents;
import io.agcgateway.connections.Connection;
import io.agcgateway.connections.ConnectionStore;
import io.agcgateway.connections.NewConnection;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.Json;
import io.agcgateway.http.Redact;
import io.agcgateway.http.RequestParams;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.publisher.Publisher;
import io.agcgateway.publisher.WsMessages;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * The steps of route oauth-callback (RFC 6749 §4.1.2-§4.1.4): consume the single-use state, exchange the code,
 * store the connection after enrichment, send the auth webhook, then answer the browser.
 */
public final class OAuthCallback {
    private final OAuthStateStore states;
    private final IntegrationStore integrations;
    private final ConnectionStore connections;
    private final ConnectSessionStore sessions;
    private final ProviderCatalog catalog;
    private final TokenCipher cipher;
    private final TokenClient tokens;
    private final OperationLog log;
    private final AuthEvents events;
    private final Publisher publisher;
    private final Clock clock;

    public OAuthCallback(OAuthStateStore states, IntegrationStore integrations, ConnectionStore connections, ConnectSessionStore sessions,
                         ProviderCatalog catalog, TokenCipher cipher, TokenClient tokens, OperationLog log, AuthEvents events,
                         Publisher publisher, Clock clock) {
        this.states = states;
        this.integrations = integrations;
        this.connections = connections;
        this.sessions = sessions;
        this.catalog = catalog;
        this.cipher = cipher;
        this.tokens = tokens;
        this.log = log;
        this.events = events;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Single use (OAuthStateStore.consume): a replayed or concurrent callback loses. */
    public void consumeState(Exchange ex) {
        CallbackFlow flow = CallbackFlow.of(ex);
        flow.started = clock.millis();
        Map<String, String> q;
        try {
            // RFC 6749 Appendix A: code, state, error and error_description are printable ASCII, never control characters
            q = RequestParams.query(ex);
        } catch (GatewayException e) {
            throw OAuthFailure.badInput(e);
        }
        String state = q.get("state");
        if (state == null || state.isBlank() || state.length() > 200) {
            throw new OAuthFailure(400, "invalid_state", "The callback has no valid state parameter. Start the connection again.", null);
        }
        OAuthStateStore.State row = states.consume(Secrets.sha256Hex(state));
        if (row == null) {
            throw new OAuthFailure(400, "invalid_state",
                    "This authorization link is unknown or was already used. Start the connection again.", null);
        }
        flow.integration = integrations.findById(row.integrationId());
        flow.provider = flow.integration == null ? null : catalog.get(flow.integration.provider());
        flow.connectionId = row.connectionId();
        flow.connectSessionId = row.connectSessionId();
        flow.connectionConfig = new LinkedHashMap<>(Json.toMap(Json.read(row.config())));
        flow.redirectUri = row.redirectUri();
        flow.wsClientId = row.wsClientId();
        if (row.expiresAt() <= clock.millis()) {
            throw new OAuthFailure(400, "invalid_state", "The authorization took too long and expired. Start the connection again.",
                    "invalid_callback");
        }
        if (flow.integration == null || flow.provider == null) {
            throw new OAuthFailure(400, "provider_config_err", "The integration of this flow no longer exists.", null);
        }
        if (q.get("error") != null) {
            String desc = q.get("error_description");
            throw new OAuthFailure(400, "callback_err", "The provider did not authorise the connection. Provider error: " + q.get("error")
                    + (desc == null ? "" : "; error_description: " + desc), "invalid_callback");
        }
        flow.code = q.get("code");
        if (flow.code == null || flow.code.isBlank()) {
            throw new OAuthFailure(400, "callback_err", "Did not get authorization code in the callback.", "invalid_callback");
        }
        flow.codeVerifier = cipher.decrypt(row.verifierEnc(), "code_verifier");
    }

    public void exchangeCode(Exchange ex) {
        CallbackFlow flow = CallbackFlow.of(ex);
        TokenResponse res = tokens.exchangeCode(flow.provider, flow.integration.clientId(),
                cipher.decrypt(flow.integration.clientSecretEnc(), "client_secret"), flow.code, flow.redirectUri,
                flow.provider.disablePkce() ? null : flow.codeVerifier);
        if (!res.ok()) {
            boolean parse = "unable_to_parse_token_response".equals(res.error());
            String msg = switch (res.kind()) {
                case REJECTED -> parse ? "The provider's token answer had no access token."
                        : "The provider rejected the authorization code (" + res.reason()
                        + (res.errorDescription() == null ? "" : ": " + res.errorDescription()) + "). Start the connection again.";
                default -> "The provider's token endpoint is unavailable (" + res.reason() + "). Try again in a moment.";
            };
            throw new OAuthFailure(400, parse ? "unable_to_parse_token_response" : "token_exchange_failed", msg,
                    parse ? "unable_to_parse_token_response" : "unknown");
        }
        flow.token = res;
        flow.accessToken = res.accessToken();
    }

    /** After route cloud-id-enrichment: one upsert, so a failure before here leaves no half-written connection. */
    public void store(Exchange ex) {
        CallbackFlow flow = CallbackFlow.of(ex);
        long now = clock.millis();
        Map<String, Object> config = new LinkedHashMap<>(flow.connectionConfig);
        String errors = null;
        SiteSelector.Selection sel = flow.selection;
        if (sel != null && sel.site() != null) {
            config.put("cloudId", sel.site().get("id"));
            config.put("baseUrl", sel.site().get("url"));
            config.put("sites", flow.sites);
        } else {
            String reason = flow.sites == null ? flow.enrichmentReason : sel == null ? "not_run" : sel.reason();
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("type", "enrichment");
            err.put("code", "cloud_id_not_found");
            err.put("message", "accessible-resources gave no site (" + reason + "): cloudId is not set; re-authorise to retry.");
            err.put("at", io.agcgateway.http.Json.timestamp(now));
            errors = Json.write(List.of(err));
            if (flow.sites != null) {
                config.put("sites", flow.sites);
            }
        }
        long expiresIn = flow.token.expiresIn() != null ? flow.token.expiresIn() : flow.provider.tokenExpiresInDefault();
        ConnectSession session = flow.connectSessionId == null ? null : sessions.findById(flow.connectSessionId);
        boolean claimed = session != null && claimSession(session.id(), now);
        try {
            flow.created = connections.upsertAuthorized(NewConnection.builder(flow.integration.id(), flow.connectionId)
                    .accessTokenEnc(cipher.encrypt(flow.accessToken, "access_token"))
                    .refreshTokenEnc(cipher.encrypt(flow.token.refreshToken(), "refresh_token"))
                    .rawEnc(cipher.encrypt(Json.write(flow.token.raw()), "raw"))
                    .expiresAt(now + expiresIn * 1000)
                    .connectionConfig(Json.write(config))
                    .endUser(session == null ? null : endUserWithOrganization(session))
                    .tags(session == null ? null : session.tags())
                    .webhookUrlOverride(session == null ? null : session.webhookUrlOverride())
                    .errors(errors)
                    .build(), now);
        } catch (RuntimeException e) {
            if (claimed) {
                sessions.release(session.id(), now);
            }
            throw e;
        }
        flow.stored = connections.find(flow.integration.uniqueKey(), flow.connectionId);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("operation", flow.created ? "creation" : "override");
        meta.put("site_selection", sel == null ? flow.enrichmentReason : sel.reason());
        meta.put("cloudId", config.get("cloudId"));
        meta.put("subdomain", flow.subdomain());
        log.submit(errors == null
                ? Operation.success("auth", "cloud_id_enrichment", flow.integration.uniqueKey(), flow.connectionId,
                        "Site " + config.get("baseUrl") + " chosen (" + sel.reason() + ")", now, now, meta)
                : Operation.failed("auth", "cloud_id_enrichment", flow.integration.uniqueKey(), flow.connectionId,
                        "No cloudId: accessible-resources gave no usable site; the connection is kept", "cloud_id_not_found", now, now, meta));
        log.submit(Operation.success("auth", "oauth_callback", flow.integration.uniqueKey(), flow.connectionId,
                "Connection " + (flow.created ? "created" : "re-authorised"), flow.started, clock.millis(), meta));
    }

    /**
     * A connect session creates one connection (a reconnect session re-authorises its connection once): the same link
     * opened in two tabs runs two flows, and only the first callback to mark the session used stores its connection.
     * @return true when this callback marked it (false: the row is gone, nothing to mark)
     */
    private boolean claimSession(long sessionId, long now) {
        ConnectSessionStore.Claim claim = sessions.claim(sessionId, now);
        if (claim == ConnectSessionStore.Claim.ALREADY_USED) {
            throw new OAuthFailure(400, "connect_session_used", "This connect link was already used to create a connection "
                    + "(was it opened twice?). Nothing was changed; ask the application that sent you here for a new link.", null);
        }
        return claim == ConnectSessionStore.Claim.CLAIMED;
    }

    private static String endUserWithOrganization(ConnectSession s) {
        if (s.endUser() == null) {
            return null;
        }
        Map<String, Object> eu = new LinkedHashMap<>(Json.toMap(Json.read(s.endUser())));
        if (s.organization() != null) {
            eu.put("organization", Json.toMap(Json.read(s.organization())));
        }
        return Json.write(eu);
    }

    public void notifyAuthorized(Exchange ex) {
        CallbackFlow flow = CallbackFlow.of(ex);
        if (flow.stored != null) {
            events.authorized(flow.stored, flow.created);
        }
    }

    public void succeeded(Exchange ex) {
        CallbackFlow flow = CallbackFlow.of(ex);
        Object cloudId = flow.stored == null ? null : Json.read(flow.stored.connectionConfig()).path("cloudId").asText(null);
        String text = cloudId != null
                ? "Your " + flow.provider.displayName() + " account is connected (site " + Json.read(flow.stored.connectionConfig())
                        .path("baseUrl").asText() + ")."
                : "Your " + flow.provider.displayName() + " account is connected, but its site (cloudId) could not be found: "
                        + "API calls that need the site will fail until you connect again.";
        ex.setProperty(HttpReply.STATUS, 200);
        Map<String, Object> connected = new LinkedHashMap<>();
        connected.put("providerConfigKey", flow.integration.uniqueKey());
        connected.put("connectionId", flow.connectionId);
        ex.getMessage().setBody(Pages.callback(true, "Connected", text, null, null, connected));
    }

    /** The doCatch of route oauth-callback: failed operation, creation-failure webhook when due, the 400 page. */
    public void failed(Exchange ex) {
        OAuthFailure f = failure(ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        CallbackFlow flow = CallbackFlow.of(ex);
        flow.failure = f;
        long now = clock.millis();
        String key = flow.integration == null ? null : flow.integration.uniqueKey();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("error_type", f.errorType());
        log.submit(Operation.failed("auth", "oauth_callback", key, flow.connectionId, Redact.text(f.getMessage()), f.errorType(),
                flow.started == 0 ? now : flow.started, now, meta));
        if (f.webhookType() != null && flow.integration != null) {
            // the session's webhook_url_override applies to every auth webhook of the flow, the failed one too
            ConnectSession session = flow.connectSessionId == null ? null : sessions.findById(flow.connectSessionId);
            events.authorizationFailed(key, flow.integration.provider(), flow.connectionId,
                    session == null ? null : session.webhookUrlOverride(), new AuthEvents.Failure(f.webhookType(), f.getMessage()));
        }
        ex.setProperty(HttpReply.STATUS, f.status());
        ex.getMessage().setBody(Pages.callback(false, "The connection failed", f.getMessage(), f.errorType(), f.getMessage()));
    }

    /** Last step: the outcome to the SDK's WebSocket when the flow was started with ws_client_id (Nango's publisher). */
    public void publish(Exchange ex) {
        CallbackFlow flow = CallbackFlow.of(ex);
        if (flow.wsClientId == null) {
            return;
        }
        String key = flow.integration == null ? null : flow.integration.uniqueKey();
        boolean sent = flow.failure == null && flow.stored != null
                ? publisher.publish(flow.wsClientId, WsMessages.success(key, flow.connectionId), "success")
                : publisher.publish(flow.wsClientId, WsMessages.error(key, flow.connectionId,
                        flow.failure == null ? "unknown_err" : flow.failure.errorType(),
                        flow.failure == null ? "The connection was not stored." : flow.failure.getMessage()), "error");
        if (!sent) {
            org.slf4j.LoggerFactory.getLogger(OAuthCallback.class).info("integration={} connection={} route=oauth-callback "
                    + "reason=ws_client_gone: no open WebSocket for this flow on this node", key, flow.connectionId);
        }
    }

    /** Unexpected errors (database down...) still get the page and the log, without internals. */
    static OAuthFailure failure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OAuthFailure f) {
                return f;
            }
        }
        org.slf4j.LoggerFactory.getLogger(OAuthCallback.class).error("unexpected OAuth callback failure: {}",
                t == null ? "unknown" : t.getClass().getName() + ": " + io.agcgateway.http.Redact.text(String.valueOf(t.getMessage())));
        return new OAuthFailure(500, "unknown_err", "An unexpected error occurred. The gateway log has the details.", "unknown");
    }

    Connection storedOf(Exchange ex) {
        return CallbackFlow.of(ex).stored;
    }
}
