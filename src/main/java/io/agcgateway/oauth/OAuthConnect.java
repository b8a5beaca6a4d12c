package io.agcgateway.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.catalog.Provider;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.Json;
import io.agcgateway.http.Redact;
import io.agcgateway.http.RequestParams;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.publisher.Publisher;
import io.agcgateway.publisher.WsMessages;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * GET /oauth/connect/{integration}: checks the connect session, stores a single-use state with a PKCE verifier
 * (RFC 7636, S256) and redirects the browser to the provider's consent page.
 */
public final class OAuthConnect {
    private static final String WS_CLIENT = "agc.wsClientId";
    private static final Pattern PARAM = Pattern.compile("^params\\[([A-Za-z0-9_.-]{1,100})]$");

    private final OAuthStateStore states;
    private final ConnectSessions sessions;
    private final ConnectSessionStore sessionStore;
    private final IntegrationStore integrations;
    private final ProviderCatalog catalog;
    private final TokenCipher cipher;
    private final OperationLog log;
    private final Clock clock;
    private final Duration stateTtl;
    private final String redirectUri;
    private final Publisher publisher;
    private final int maxStartsPerSession;

    /** @param maxStartsPerSession authorize starts one connect session may make (gateway.connect.max-starts-per-session) */
    public OAuthConnect(OAuthStateStore states, ConnectSessions sessions, ConnectSessionStore sessionStore,
                        IntegrationStore integrations, ProviderCatalog catalog, TokenCipher cipher, OperationLog log,
                        Publisher publisher, Clock clock, Duration stateTtl, String publicUrl, int maxStartsPerSession) {
        this.states = states;
        this.sessions = sessions;
        this.sessionStore = sessionStore;
        this.integrations = integrations;
        this.catalog = catalog;
        this.cipher = cipher;
        this.log = log;
        this.clock = clock;
        this.stateTtl = stateTtl;
        this.redirectUri = publicUrl + "/oauth/callback";
        this.publisher = publisher;
        this.maxStartsPerSession = maxStartsPerSession;
    }

    public void authorize(Exchange ex) {
        long started = clock.millis();
        String key;
        Map<String, String> query;
        try {
            key = RequestParams.path(ex, "integration");
            query = RequestParams.query(ex);
        } catch (GatewayException e) {
            throw OAuthFailure.badInput(e);
        }
        ex.setProperty("agc.integration", key);
        ex.setProperty(WS_CLIENT, WsMessages.clientId(query.get("ws_client_id")));
        try {
            String location = start(ex, key, query, started);
            Message m = ex.getMessage();
            m.removeHeaders("*");
            m.setHeader("Cache-Control", "no-store");
            m.setHeader("Referrer-Policy", "no-referrer");
            m.setHeader("Location", location);
            m.setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
            m.setBody(null);
        } catch (GatewayException e) {
            log.submit(Operation.failed("auth", "oauth_authorize", key, null, e.getMessage(), e.code(), started, clock.millis(), null));
            throw e;
        }
    }

    /** The doCatch of route oauth-connect: a failed operation and Nango's HTML error page. */
    public void failed(Exchange ex) {
        Throwable t = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (HttpReply.unwrap(t) != null) {
            // session problems answer JSON like Nango's middleware (already logged by authorize)
            new HttpReply().error(ex);
            return;
        }
        OAuthFailure f = OAuthCallback.failure(t);
        long now = clock.millis();
        log.submit(Operation.failed("auth", "oauth_authorize", ex.getProperty("agc.integration", String.class), null,
                f.getMessage(), f.errorType(), now, now, null));
        ex.setProperty(HttpReply.STATUS, f.status());
        ex.getMessage().setBody(Pages.callback(false, "The connection could not be started", f.getMessage(), f.errorType(), f.getMessage()));
        new HttpReply().html(ex);
    }

    /** After {@link #failed}: the SDK that opened this flow (ws_client_id) hears the error the page shows. */
    public void publishFailure(Exchange ex) {
        Throwable t = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String wsClientId = ex.getProperty(WS_CLIENT, String.class);
        if (wsClientId == null || HttpReply.unwrap(t) != null) {
            return;
        }
        OAuthFailure f = OAuthCallback.failure(t);
        publisher.publish(wsClientId, WsMessages.error(ex.getProperty("agc.integration", String.class), null, f.errorType(),
                f.getMessage()), "error");
    }

    private String start(Exchange ex, String key, Map<String, String> q, long started) {
        String token = q.get("connect_session_token");
        if (q.containsKey("connection_id") && token != null) {
            throw new GatewayException(400, "invalid_query_params", "connection_id is forbidden when using session token");
        }
        if (token == null && q.containsKey("public_key")) {
            throw new GatewayException(401, "deprecated_authentication", "Public key authentication is not supported; use a connect session token.");
        }
        ConnectSession session = sessions.usable(token);
        // counted before anything else: one leaked link must not start thousands of flows (state rows, operations)
        if (!sessionStore.countStart(session.id(), maxStartsPerSession)) {
            throw new OAuthFailure(429, "too_many_starts", "This connect link has already started " + maxStartsPerSession
                    + " authorisations, the most one link may. Ask the application that sent you here for a new link.", null);
        }
        List<String> allowed = session.allowed();
        if (allowed != null && !allowed.contains(key)) {
            throw new GatewayException(400, "integration_not_allowed", "Integration '" + key + "' is not allowed by this connect session.");
        }
        Integration integration = key == null ? null : integrations.find(key);
        if (integration == null) {
            throw new OAuthFailure(400, "provider_config_err", "Integration '" + key + "' does not exist.", null);
        }
        Provider provider = catalog.get(integration.provider());
        if (provider == null) {
            throw new OAuthFailure(400, "unknown_config_key", "Provider '" + integration.provider() + "' is not in the catalog.", null);
        }
        if (isBlank(integration.clientId()) || isBlank(integration.clientSecretEnc())) {
            throw new OAuthFailure(400, "provider_config_err", "Integration '" + key
                    + "' has no client id or client secret: set them with PATCH /integrations/" + key + ".", null);
        }
        String connectionId = session.reconnectConnectionId() != null ? session.reconnectConnectionId() : UUID.randomUUID().toString();
        Map<String, Object> config = connectionConfig(q, provider, session.defaultsFor(key));

        String state = Secrets.randomBase64Url(32);
        String verifier = Secrets.randomBase64Url(32);
        long now = clock.millis();
        states.save(Secrets.sha256Hex(state), new OAuthStateStore.State(integration.id(), connectionId, session.id(),
                cipher.encrypt(verifier, "code_verifier"), Json.write(config), redirectUri, ex.getProperty(WS_CLIENT, String.class), now,
                now + stateTtl.toMillis()));

        Map<String, String> params = new LinkedHashMap<>();
        params.put("response_type", "code");
        params.put("client_id", integration.clientId());
        params.put("redirect_uri", redirectUri);
        params.put("scope", scopes(integration, provider));
        params.putAll(provider.authorizationParams());
        JsonNode defaults = session.defaultsFor(key);
        JsonNode ap = defaults == null ? null : defaults.get("authorization_params");
        if (ap != null && ap.isObject()) {
            ap.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        }
        params.put("state", state);
        if (!provider.disablePkce()) { // RFC 7636 §4.3; catalog disable_pkce for a provider that refuses it
            params.put("code_challenge", Secrets.s256(verifier));
            params.put("code_challenge_method", "S256");
        }
        StringJoiner qs = new StringJoiner("&");
        params.forEach((k, v) -> qs.add(enc(k) + "=" + enc(v)));
        String url = provider.authorizationUrl() + (provider.authorizationUrl().contains("?") ? "&" : "?") + qs;

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("connect_session_id", session.id());
        meta.put("scope", params.get("scope"));
        meta.put("connection_config", config);
        meta.put("authorize_url", Redact.text(provider.authorizationUrl()));
        log.submit(Operation.success("auth", "oauth_authorize", key, connectionId, "Redirected to the provider's consent page",
                started, clock.millis(), meta));
        return url;
    }

    /** params[k]=v from the query, checked against the catalog's connection_config; session defaults win (as in Nango). */
    private static Map<String, Object> connectionConfig(Map<String, String> q, Provider provider, JsonNode defaults) {
        Map<String, Object> config = new LinkedHashMap<>();
        q.forEach((k, v) -> {
            var m = PARAM.matcher(k);
            if (m.matches() && !v.isEmpty() && !"webhook_url".equals(m.group(1))) {
                config.put(m.group(1), v);
            }
        });
        JsonNode cc = defaults == null ? null : defaults.get("connection_config");
        if (cc != null && cc.isObject()) {
            cc.fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : Json.toMap(e.getValue())));
        }
        for (Map.Entry<String, Object> e : config.entrySet()) {
            if (e.getValue() instanceof String v && v.length() > 255) {
                throw new OAuthFailure(400, "url_param_err", "Connection parameter '" + e.getKey() + "' is too long.", null);
            }
            Map<String, Object> def = provider.connectionConfig().get(e.getKey());
            if (def != null && def.get("pattern") != null && e.getValue() instanceof String v
                    && !Pattern.compile(String.valueOf(def.get("pattern"))).matcher(v).matches()) {
                throw new OAuthFailure(400, "url_param_err", "Connection parameter '" + e.getKey() + "' does not match the pattern "
                        + def.get("pattern") + " of provider " + provider.name() + ".", null);
            }
        }
        for (Map.Entry<String, Map<String, Object>> def : provider.connectionConfig().entrySet()) {
            if (!Boolean.TRUE.equals(def.getValue().get("optional")) && !config.containsKey(def.getKey())) {
                throw new OAuthFailure(400, "url_param_err", "Connection parameter '" + def.getKey() + "' is required by provider "
                        + provider.name() + ".", null);
            }
        }
        return config;
    }

    /** Integration scopes ∪ provider default scopes, always with offline_access (Atlassian issues no refresh token without it). */
    static String scopes(Integration integration, Provider provider) {
        Set<String> all = new LinkedHashSet<>();
        if (integration.scopes() != null) {
            for (String s : integration.scopes().split("[,\\s]+")) {
                if (!s.isBlank()) {
                    all.add(s.strip());
                }
            }
        }
        all.addAll(provider.defaultScopes());
        all.add("offline_access");
        return String.join(provider.scopeSeparator(), all);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
