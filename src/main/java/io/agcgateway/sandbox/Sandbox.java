package io.agcgateway.sandbox;

import io.agcgateway.config.GatewaySettings;
import io.agcgateway.config.StartupException;
import io.agcgateway.crypto.TokenCipher;
import io.agcgateway.integrations.Integration;
import io.agcgateway.integrations.IntegrationStore;
import io.agcgateway.store.MetaStore;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sandbox mode (docs/ARCHITECTURE.md "Sandbox"): the emulated AGC, and integration agc-sandbox pointing at it. */
public final class Sandbox {
    public static final String INTEGRATION = "agc-sandbox";
    public static final String PROVIDER = "atlassian-government-cloud-sandbox";
    public static final String CLIENT_ID = "agc-sandbox-client";
    public static final String SCOPES = "read:jira-work,read:jira-user,offline_access";
    static final String SECRET_META_KEY = "sandbox_client_secret";
    private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

    private Sandbox() {
    }

    /**
     * The emulated AGC, its client registered with this database's generated secret; integration agc-sandbox is
     * created pointing at it when absent.
     */
    public static SandboxAgc agc(GatewaySettings settings, MetaStore meta, IntegrationStore integrations, TokenCipher cipher,
                                 Clock clock) {
        SandboxFaults faults = new SandboxFaults(settings.duration("gateway.sandbox.latency"),
                settings.integer("gateway.sandbox.fail-every", 0, 1_000_000),
                settings.integer("gateway.sandbox.fail-status", 100, 599));
        SandboxAgc agc = new SandboxAgc(clock, settings.duration("gateway.sandbox.token-lifetime"),
                settings.duration("gateway.sandbox.reuse-window"), faults);
        String secret = clientSecret(meta, cipher);
        agc.registerClient(CLIENT_ID, secret, redirectUris(settings));
        ensureIntegration(integrations, cipher, secret, clock);
        return agc;
    }

    /**
     * Where the sandbox provider entry points: gateway.sandbox.base-url, else this gateway's public URL.
     * A second node of a cluster test sets it to the first node, whose in-memory sandbox then holds all tokens.
     */
    public static String baseUrl(GatewaySettings settings) {
        String v = settings.raw("gateway.sandbox.base-url");
        if (v.isEmpty()) {
            return settings.publicUrl();
        }
        try {
            URI u = URI.create(v);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null || u.getQuery() != null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new StartupException("setting gateway.sandbox.base-url (env GATEWAY_SANDBOX_BASE_URL) '" + v
                    + "' is not an http(s) base URL: e.g. http://node1:3003, or leave it empty");
        }
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }

    /** Atlassian allows only registered callback URLs: this gateway's, plus gateway.sandbox.redirect-uris. */
    static List<String> redirectUris(GatewaySettings settings) {
        List<String> uris = new ArrayList<>();
        uris.add(settings.publicUrl() + "/oauth/callback");
        for (String u : settings.raw("gateway.sandbox.redirect-uris").split(",")) {
            if (!u.isBlank()) {
                uris.add(u.strip());
            }
        }
        return uris;
    }

    /** Generated once per database and kept encrypted, so no sandbox secret is ever committed or configured. */
    static String clientSecret(MetaStore meta, TokenCipher cipher) {
        String stored = meta.get(SECRET_META_KEY);
        if (stored == null) {
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            if (meta.insertIfAbsent(SECRET_META_KEY, cipher.encrypt(fresh, SECRET_META_KEY))) {
                return fresh;
            }
            stored = meta.get(SECRET_META_KEY); // another node won the race: use its secret
        }
        return cipher.decrypt(stored, SECRET_META_KEY);
    }

    /** Created when absent only: an operator's edits to agc-sandbox are kept. */
    static void ensureIntegration(IntegrationStore store, TokenCipher cipher, String secret, Clock clock) {
        if (store.find(INTEGRATION) != null) {
            return;
        }
        long now = clock.millis();
        boolean created = store.insert(new Integration(0, INTEGRATION, PROVIDER, "AGC sandbox", CLIENT_ID,
                cipher.encrypt(secret, "client_secret"), SCOPES, null, true, now, now));
        if (created) {
            LOG.info("sandbox: created integration {} (provider {})", INTEGRATION, PROVIDER);
        }
    }
}
