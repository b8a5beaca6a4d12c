package io.agcgateway.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agcgateway.catalog.Provider;
import io.agcgateway.catalog.ProviderCatalog;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.RequestBody;
import io.agcgateway.http.RequestParams;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/** The Nango-compatible integrations and providers API (as @nangohq/node 0.71.10 calls it). */
public final class IntegrationsApi {
    public static final Pattern KEY = Pattern.compile("^[a-zA-Z0-9~:.@ _-]{1,255}$");
    private static final Pattern SCOPE = Pattern.compile("^[A-Za-z0-9:._/-]{1,200}$");
    private static final Set<String> BODY_FIELDS = Set.of("provider", "unique_key", "display_name", "credentials", "forward_webhooks");
    private static final Set<String> CREDENTIAL_FIELDS = Set.of("type", "client_id", "client_secret", "scopes", "webhook_secret");

    private final IntegrationStore store;
    private final ProviderCatalog catalog;
    private final TokenCipher cipher;
    private final RequestBody bodies;
    private final String publicUrl;
    private final Clock clock;

    public IntegrationsApi(IntegrationStore store, ProviderCatalog catalog, TokenCipher cipher, RequestBody bodies, String publicUrl, Clock clock) {
        this.store = store;
        this.catalog = catalog;
        this.cipher = cipher;
        this.bodies = bodies;
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    /** With a connect session token: only the session's integrations (never credentials: list shows none). */
    public void list(Exchange ex) {
        IntegrationScope scope = ex.getProperty(IntegrationScope.PROPERTY, IntegrationScope.class);
        List<Map<String, Object>> data = new ArrayList<>();
        for (Integration i : store.list()) {
            if (scope == null || scope.permits(i.uniqueKey())) {
                data.add(view(i, false));
            }
        }
        reply(ex, 200, Map.of("data", data));
    }

    public void get(Exchange ex) {
        Integration i = existing(RequestParams.path(ex, "uniqueKey"));
        String include = RequestParams.query(ex).get("include");
        Map<String, Object> v = view(i, include != null && include.contains("credentials"));
        if (include != null && include.contains("webhook")) {
            // Nango's URL for webhooks *from* the provider; the gateway receives none (AGC apps poll): null, said so
            v.put("webhook_url", null);
        }
        reply(ex, 200, Map.of("data", v));
    }

    public void create(Exchange ex) {
        ObjectNode body = bodies.object(ex, BODY_FIELDS);
        String key = uniqueKey(RequestBody.required(body, "unique_key", 255, "unique_key"));
        Provider provider = provider(RequestBody.required(body, "provider", 255, "provider"));
        String displayName = RequestBody.text(body, "display_name", 255, "display_name");
        Creds creds = credentials(body.get("credentials"), null);
        long now = clock.millis();
        Integration created = new Integration(0, key, provider.name(), displayName == null ? provider.displayName() : displayName,
                creds.clientId, creds.clientSecretEnc, creds.scopes, creds.webhookSecretEnc, forwardWebhooks(body, true), now, now);
        if (!store.insert(created)) {
            throw GatewayException.invalidBody("unique_key", "An integration with unique_key '" + key + "' already exists.");
        }
        reply(ex, 200, Map.of("data", view(store.find(key), false)));
    }

    public void update(Exchange ex) {
        Integration old = existing(RequestParams.path(ex, "uniqueKey"));
        ObjectNode body = bodies.object(ex, BODY_FIELDS);
        String provider = RequestBody.string(body, "provider", 255, "provider");
        if (provider != null && !provider.equals(old.provider())) {
            throw GatewayException.invalidBody("provider", "The provider of an integration cannot be changed; create a new integration.");
        }
        String key = RequestBody.string(body, "unique_key", 255, "unique_key");
        key = key == null ? old.uniqueKey() : uniqueKey(key);
        String displayName = RequestBody.text(body, "display_name", 255, "display_name");
        Creds creds = credentials(body.get("credentials"), old);
        Integration updated = new Integration(old.id(), key, old.provider(), displayName == null ? old.displayName() : displayName,
                creds.clientId, creds.clientSecretEnc, creds.scopes, creds.webhookSecretEnc,
                forwardWebhooks(body, old.forwardWebhooks()), old.createdAt(), clock.millis());
        if (!store.update(updated)) {
            throw GatewayException.invalidBody("unique_key", "An integration with unique_key '" + key + "' already exists.");
        }
        reply(ex, 200, Map.of("data", view(store.findById(old.id()), false)));
    }

    public void delete(Exchange ex) {
        String key = RequestParams.path(ex, "uniqueKey");
        existing(key);
        store.delete(key);
        reply(ex, 200, Map.of("success", true));
    }

    /**
     * GET /providers[?search=]: Nango's filter, a case-insensitive substring of the name or display name; in catalog
     * order (config/providers.yaml lists AGC first: it is what this gateway is for).
     */
    public void listProviders(Exchange ex) {
        String search = RequestParams.query(ex).get("search");
        String needle = search == null ? "" : search.strip().toLowerCase(java.util.Locale.ROOT);
        List<Map<String, Object>> data = new ArrayList<>();
        for (Provider p : catalog.all()) {
            Map<String, Object> v = providerView(p);
            if (needle.isEmpty() || p.name().toLowerCase(java.util.Locale.ROOT).contains(needle)
                    || String.valueOf(v.get("display_name")).toLowerCase(java.util.Locale.ROOT).contains(needle)) {
                data.add(v);
            }
        }
        reply(ex, 200, Map.of("data", data));
    }

    public void getProvider(Exchange ex) {
        String name = RequestParams.path(ex, "provider");
        Provider p = catalog.get(name);
        if (p == null) {
            throw GatewayException.notFound("not_found", "Provider '" + name + "' is not in the catalog.");
        }
        IntegrationScope scope = ex.getProperty(IntegrationScope.PROPERTY, IntegrationScope.class);
        if (scope != null && store.list().stream().noneMatch(i -> i.provider().equals(p.name()) && scope.permits(i.uniqueKey()))) {
            // a session token reads only the providers of the integrations it may connect
            throw GatewayException.notFound("not_found", "Provider '" + name + "' is not used by an integration of this connect session.");
        }
        reply(ex, 200, Map.of("data", providerView(p)));
    }

    private Map<String, Object> providerView(Provider p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", p.name());
        v.putAll(p.raw());
        // the logos the gateway serves (web/logos); a provider from an operator's catalog without one has none
        v.put("logo_url", IntegrationsApi.class.getResource("/web/logos/" + p.name() + ".svg") == null ? null
                : publicUrl + "/logos/" + p.name() + ".svg");
        v.put("callback_url", publicUrl + "/oauth/callback");
        return v;
    }

    Integration existing(String key) {
        Integration i = key == null ? null : store.find(key);
        if (i == null) {
            throw GatewayException.notFound("not_found", "Integration '" + key + "' does not exist.");
        }
        return i;
    }

    private static String uniqueKey(String key) {
        if (!KEY.matcher(key).matches()) {
            throw GatewayException.invalidBody("unique_key",
                    "'unique_key' may contain only letters, digits and ~:.@ _- (1 to 255 characters).");
        }
        return key;
    }

    private Provider provider(String name) {
        Provider p = catalog.get(name);
        if (p == null) {
            throw GatewayException.invalidBody("provider", "Provider '" + name + "' is not in the catalog; GET /providers lists them.");
        }
        return p;
    }

    private static boolean forwardWebhooks(JsonNode body, boolean dflt) {
        JsonNode v = body.get("forward_webhooks");
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw GatewayException.invalidBody("forward_webhooks", "'forward_webhooks' must be true or false.");
        }
        return v.asBoolean();
    }

    private record Creds(String clientId, String clientSecretEnc, String scopes, String webhookSecretEnc) {
    }

    private Creds credentials(JsonNode c, Integration old) {
        if (c == null || c.isNull()) {
            return old == null ? new Creds(null, null, null, null)
                    : new Creds(old.clientId(), old.clientSecretEnc(), old.scopes(), old.webhookSecretEnc());
        }
        if (!c.isObject()) {
            throw GatewayException.invalidBody("credentials", "'credentials' must be an object.");
        }
        RequestBody.rejectUnknown(c, CREDENTIAL_FIELDS, "credentials.");
        String type = RequestBody.string(c, "type", 20, "credentials.type");
        if (type != null && !"OAUTH2".equals(type)) {
            throw GatewayException.invalidBody("credentials.type", "'credentials.type' must be OAUTH2.");
        }
        String clientId = RequestBody.string(c, "client_id", 2000, "credentials.client_id");
        String secret = RequestBody.string(c, "client_secret", 2000, "credentials.client_secret");
        String webhookSecret = RequestBody.string(c, "webhook_secret", 2000, "credentials.webhook_secret");
        String scopes = scopes(c.get("scopes"));
        if (old == null && (clientId == null || clientId.isBlank() || secret == null || secret.isBlank())) {
            throw GatewayException.invalidBody("credentials", "'credentials' needs client_id and client_secret.");
        }
        return new Creds(
                clientId != null ? clientId : old.clientId(),
                secret != null ? cipher.encrypt(secret, "client_secret") : old.clientSecretEnc(),
                scopes != null ? scopes : old == null ? null : old.scopes(),
                webhookSecret != null ? cipher.encrypt(webhookSecret, "webhook_secret") : old == null ? null : old.webhookSecretEnc());
    }

    /** Scopes are stored comma-separated like Nango's oauth_scopes; accepts a comma/space string or a list. */
    static String scopes(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (v.isArray()) {
            for (JsonNode s : v) {
                if (!s.isTextual()) {
                    throw GatewayException.invalidBody("credentials.scopes", "'credentials.scopes' must be strings.");
                }
                parts.add(s.asText());
            }
        } else if (v.isTextual()) {
            parts.addAll(List.of(v.asText().split("[,\\s]+")));
        } else {
            throw GatewayException.invalidBody("credentials.scopes", "'credentials.scopes' must be a comma-separated string.");
        }
        Set<String> clean = new LinkedHashSet<>();
        for (String s : parts) {
            String t = s.strip();
            if (t.isEmpty()) {
                continue;
            }
            if (!SCOPE.matcher(t).matches()) {
                throw GatewayException.invalidBody("credentials.scopes", "Scope '" + t + "' is not a valid scope name.");
            }
            clean.add(t);
        }
        return String.join(",", clean);
    }

    Map<String, Object> view(Integration i, boolean withCredentials) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("unique_key", i.uniqueKey());
        v.put("provider", i.provider());
        v.put("display_name", i.displayName());
        v.put("logo", publicUrl + "/logos/" + i.provider() + ".svg");
        v.put("forward_webhooks", i.forwardWebhooks());
        v.put("created_at", io.agcgateway.http.Json.timestamp(i.createdAt()));
        v.put("updated_at", io.agcgateway.http.Json.timestamp(i.updatedAt()));
        if (withCredentials) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("type", "OAUTH2");
            c.put("client_id", i.clientId());
            c.put("client_secret", cipher.decrypt(i.clientSecretEnc(), "client_secret"));
            c.put("scopes", i.scopes());
            c.put("webhook_secret", cipher.decrypt(i.webhookSecretEnc(), "webhook_secret"));
            v.put("credentials", c);
        }
        return v;
    }

    private static void reply(Exchange ex, int status, Object body) {
        ex.setProperty(HttpReply.STATUS, status);
        ex.getMessage().setBody(body);
    }
}
