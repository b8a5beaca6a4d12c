package io.agcgateway.catalog;

import io.agcgateway.config.GatewaySettings;
import io.agcgateway.config.StartupException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The provider catalog (docs/ARCHITECTURE.md "Provider catalog"): providers are data, validated here so a bad entry stops startup
 * with the file, provider and field named, instead of failing a user's OAuth flow later.
 */
public final class ProviderCatalog {

    static final Set<String> KNOWN_FIELDS = Set.of("display_name", "categories", "auth_mode", "authorization_url",
            "token_url", "default_scopes", "authorization_params", "token_params", "refresh_params", "scope_separator",
            "proxy", "connection_config", "docs", "docs_connect", "token_expires_in_default", "accessible_resources_urls",
            "disable_pkce", "token_request_auth_method");
    static final Set<String> KNOWN_PROXY_FIELDS = Set.of("base_url", "allowed_base_urls", "redirect_hosts", "retry", "headers");
    static final Set<String> KNOWN_RETRY_FIELDS = Set.of("at", "after");
    /**
     * Nango fields this gateway does not implement, with what to do instead: an entry that names one stops startup,
     * because accepting it would promise a behaviour nobody performs.
     */
    private static final Map<String, String> NOT_IMPLEMENTED = Map.of(
            "token_expiration_buffer", "the refresh margin is the setting gateway.refresh.margin, for every provider",
            "body_format", "token requests are always form-encoded (RFC 6749 §4.1.3)",
            "post_connection_script", "the step after a connection is the site lookup of accessible_resources_urls",
            "proxy.query", "the caller's query is sent as written",
            "proxy.connection_config", "connection_config values are filled into proxy paths and headers from the connection",
            "proxy.retry.error_code", "retried statuses are 429, 5xx and the caller's Retry-On",
            "proxy.retry.remaining", "retried statuses are 429, 5xx and the caller's Retry-On",
            "proxy.retry.in_body", "waits come from headers (proxy.retry.at, proxy.retry.after, Retry-After)");
    /** Headers a catalog entry may not set: the gateway sets them per request (the token, framing, the connection). */
    private static final Set<String> RESERVED_HEADERS = Set.of("authorization", "proxy-authorization", "cookie", "host",
            "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect");
    private static final Pattern HEADER_NAME = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");
    /** The one interpolation proxy.headers values may use: {@code ${connectionConfig.key}}, filled per connection. */
    public static final Pattern HEADER_PLACEHOLDER = Pattern.compile("\\$\\{connectionConfig\\.([A-Za-z0-9_.-]+)\\}");
    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,99}$");

    private final Map<String, Provider> providers;

    private ProviderCatalog(Map<String, Provider> providers) {
        this.providers = providers;
    }

    /**
     * @param sources ordered (label, yaml text) pairs; a later source's entry replaces an earlier one of the same key
     * @param publicUrl substituted for {@code {{gateway.public-url}}}
     */
    public static ProviderCatalog parse(List<Map.Entry<String, String>> sources, String publicUrl) {
        Map<String, Provider> all = new LinkedHashMap<>();
        for (Map.Entry<String, String> source : sources) {
            String label = source.getKey();
            Object doc;
            try {
                doc = new Load(LoadSettings.builder().setLabel(label).build())
                        .loadFromString(source.getValue().replace("{{gateway.public-url}}", publicUrl));
            } catch (RuntimeException e) {
                throw invalid(label, null, null, "is not valid YAML: " + e.getMessage().split("\\R")[0]);
            }
            if (doc == null) {
                continue;
            }
            if (!(doc instanceof Map<?, ?> map)) {
                throw invalid(label, null, null, "must be a map of provider name to entry");
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String name = String.valueOf(e.getKey());
                all.put(name, validate(label, name, e.getValue()));
            }
        }
        if (all.isEmpty()) {
            throw new StartupException("provider catalog is empty: config/providers.yaml must define at least one provider");
        }
        // the file's order is the order GET /providers lists them in (an overlay's replacement keeps its place)
        return new ProviderCatalog(java.util.Collections.unmodifiableMap(all));
    }

    public static ProviderCatalog load(List<Path> overlays, boolean sandbox, String publicUrl) {
        return load(overlays, sandbox, publicUrl, publicUrl);
    }

    /** @param sandboxUrl replaces {@code {{gateway.public-url}}} in the sandbox file only (setting gateway.sandbox.base-url) */
    public static ProviderCatalog load(List<Path> overlays, boolean sandbox, String publicUrl, String sandboxUrl) {
        List<Map.Entry<String, String>> sources = new ArrayList<>();
        sources.add(Map.entry("config/providers.yaml", resource("config/providers.yaml")));
        if (sandbox) {
            sources.add(Map.entry("config/providers-sandbox.yaml",
                    resource("config/providers-sandbox.yaml").replace("{{gateway.public-url}}", sandboxUrl)));
        }
        for (Path p : overlays) {
            try {
                sources.add(Map.entry(p.toString(), Files.readString(p, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new StartupException("setting gateway.providers (env GATEWAY_PROVIDERS): cannot read " + p + ": " + e.getMessage());
            }
        }
        return parse(sources, publicUrl);
    }

    /** A ./config file overrides the copy in the jar, like application.properties. */
    private static String resource(String path) {
        try {
            Path local = Path.of(path);
            if (Files.isRegularFile(local)) {
                return Files.readString(local, StandardCharsets.UTF_8);
            }
            try (InputStream in = ProviderCatalog.class.getClassLoader().getResourceAsStream(GatewaySettings.IN_JAR + path)) {
                if (in == null) {
                    throw new StartupException(path + " is missing from the jar: rebuild with mvn package");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new StartupException("cannot read " + path + ": " + e.getMessage());
        }
    }

    public Provider get(String name) {
        return name == null ? null : providers.get(name);
    }

    /** In catalog order: the files' order, each overlay's new entries after the ones before. */
    public Collection<Provider> all() {
        return providers.values();
    }

    @SuppressWarnings("unchecked")
    private static Provider validate(String file, String name, Object entryObj) {
        if (!NAME.matcher(name).matches()) {
            throw invalid(file, name, null, "name must be lower-case letters, digits and dashes");
        }
        if (!(entryObj instanceof Map<?, ?>)) {
            throw invalid(file, name, null, "entry must be a map");
        }
        Map<String, Object> e = (Map<String, Object>) entryObj;
        knownKeys(file, name, "", e.keySet(), KNOWN_FIELDS);
        String authMode = str(file, name, e, "auth_mode", true);
        if (!"OAUTH2".equals(authMode)) {
            throw invalid(file, name, "auth_mode", "must be OAUTH2 (the only mode this gateway implements)");
        }
        Map<String, Object> proxy = map(file, name, e, "proxy");
        knownKeys(file, name, "proxy.", proxy.keySet(), KNOWN_PROXY_FIELDS);
        String baseUrl = url(file, name, "proxy.base_url", str(file, name, proxy, "base_url", true));
        List<String> allowed = new ArrayList<>();
        for (String u : strings(file, name, proxy, "allowed_base_urls")) {
            allowed.add(url(file, name, "proxy.allowed_base_urls", u));
        }
        Map<String, Object> retry = map(file, name, proxy, "retry");
        knownKeys(file, name, "proxy.retry.", retry.keySet(), KNOWN_RETRY_FIELDS);
        RetryHeaders retryHeaders = new RetryHeaders(strings(file, name, retry, "at"), strings(file, name, retry, "after"));
        List<String> resources = new ArrayList<>();
        for (String u : strings(file, name, e, "accessible_resources_urls")) {
            resources.add(url(file, name, "accessible_resources_urls", u));
        }
        Map<String, Map<String, Object>> connectionConfig = new LinkedHashMap<>();
        for (Map.Entry<String, Object> f : map(file, name, e, "connection_config").entrySet()) {
            if (!(f.getValue() instanceof Map<?, ?> def)) {
                throw invalid(file, name, "connection_config." + f.getKey(), "must be a map");
            }
            Object pattern = def.get("pattern");
            if (pattern != null) {
                try {
                    Pattern.compile(String.valueOf(pattern));
                } catch (PatternSyntaxException ex) {
                    throw invalid(file, name, "connection_config." + f.getKey() + ".pattern", "is not a valid regular expression");
                }
            }
            connectionConfig.put(f.getKey(), (Map<String, Object>) def);
        }
        long expiresDefault = 3600;
        Object ed = e.get("token_expires_in_default");
        if (ed != null) {
            if (!(ed instanceof Number n) || n.longValue() <= 0) {
                throw invalid(file, name, "token_expires_in_default", "must be a positive number of seconds");
            }
            expiresDefault = n.longValue();
        }
        String sep = e.containsKey("scope_separator") ? String.valueOf(e.get("scope_separator")) : " ";
        return new Provider(name,
                str(file, name, e, "display_name", true),
                authMode,
                url(file, name, "authorization_url", str(file, name, e, "authorization_url", true)),
                url(file, name, "token_url", str(file, name, e, "token_url", true)),
                strings(file, name, e, "default_scopes"),
                params(file, name, e, "authorization_params"),
                params(file, name, e, "token_params"),
                params(file, name, e, "refresh_params"),
                sep,
                expiresDefault,
                List.copyOf(resources),
                trimSlash(baseUrl),
                allowed.stream().map(ProviderCatalog::trimSlash).toList(),
                retryHeaders,
                redirectHosts(file, name, proxy),
                connectionConfig,
                bool(file, name, e, "disable_pkce"),
                tokenRequestAuthBasic(file, name, e),
                proxyHeaders(file, name, proxy),
                e);
    }

    private static void knownKeys(String file, String name, String prefix, Set<String> keys, Set<String> known) {
        for (String k : keys) {
            String why = NOT_IMPLEMENTED.get(prefix + k);
            if (why != null) {
                throw invalid(file, name, prefix + k, "is a Nango field this gateway does not implement (" + why + "): remove it");
            }
            if (!known.contains(k)) {
                throw invalid(file, name, prefix + k, "is not a known field (typo?)");
            }
        }
    }

    /** token_request_auth_method: basic sends the client credentials as HTTP Basic (RFC 6749 §2.3.1); absent, in the form. */
    private static boolean tokenRequestAuthBasic(String file, String name, Map<String, Object> e) {
        String method = str(file, name, e, "token_request_auth_method", false);
        if (method != null && !"basic".equals(method)) {
            throw invalid(file, name, "token_request_auth_method", "must be basic (leave it out to send the client credentials "
                    + "in the form body)");
        }
        return method != null;
    }

    /** proxy.headers: static headers for every proxied request, values optionally with ${connectionConfig.key}. */
    private static Map<String, String> proxyHeaders(String file, String name, Map<String, Object> proxy) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> h : map(file, name, proxy, "headers").entrySet()) {
            String key = "proxy.headers." + h.getKey();
            if (!HEADER_NAME.matcher(h.getKey()).matches()) {
                throw invalid(file, name, key, "is not a valid header name (RFC 9110 §5.1)");
            }
            if (RESERVED_HEADERS.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                throw invalid(file, name, key, "is set by the gateway for each request (the connection's token, framing) and "
                        + "cannot come from the catalog");
            }
            if (!(h.getValue() instanceof String v) || v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw invalid(file, name, key, "must be a string without control characters");
            }
            if (HEADER_PLACEHOLDER.matcher(v).replaceAll("").contains("${")) {
                throw invalid(file, name, key, "may interpolate only ${connectionConfig.<key>}; other Nango placeholders "
                        + "(credentials, metadata) are not filled by this gateway");
            }
            out.put(h.getKey(), v);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static boolean bool(String file, String name, Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v != null && !(v instanceof Boolean)) {
            throw invalid(file, name, key, "must be true or false");
        }
        return Boolean.TRUE.equals(v);
    }

    /** proxy.redirect_hosts: host names (no scheme, path or port) a provider answer may redirect the proxy to. */
    private static List<String> redirectHosts(String file, String name, Map<String, Object> proxy) {
        List<String> hosts = new ArrayList<>();
        for (String h : strings(file, name, proxy, "redirect_hosts")) {
            if (!h.matches("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")) {
                throw invalid(file, name, "proxy.redirect_hosts", "entries are host names like api.media.atlassian.com (no scheme, port or path)");
            }
            hosts.add(h.toLowerCase(java.util.Locale.ROOT));
        }
        return List.copyOf(hosts);
    }

    private static String trimSlash(String u) {
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    private static String str(String file, String name, Map<String, Object> m, String key, boolean required) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isBlank()) {
            if (required) {
                throw invalid(file, name, key, "is required");
            }
            return null;
        }
        if (!(v instanceof String s)) {
            throw invalid(file, name, key, "must be a string");
        }
        return s;
    }

    private static String url(String file, String name, String key, String value) {
        try {
            URI u = URI.create(value);
            if ((!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException ex) {
            throw invalid(file, name, key, "'" + value + "' is not an absolute http(s) URL");
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String file, String name, Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?>)) {
            throw invalid(file, name, key, "must be a map");
        }
        return (Map<String, Object>) v;
    }

    private static Map<String, String> params(String file, String name, Map<String, Object> m, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> p : map(file, name, m, key).entrySet()) {
            if (p.getValue() instanceof Map || p.getValue() instanceof List) {
                throw invalid(file, name, key + "." + p.getKey(), "must be a plain value");
            }
            out.put(p.getKey(), String.valueOf(p.getValue()));
        }
        return out;
    }

    private static List<String> strings(String file, String name, Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw invalid(file, name, key, "must be a list");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s) || s.isBlank()) {
                throw invalid(file, name, key, "must be a list of non-empty strings");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    private static StartupException invalid(String file, String provider, String field, String problem) {
        return new StartupException("provider catalog " + file + ": "
                + (provider == null ? "" : "provider '" + provider + "' ")
                + (field == null ? "" : "field " + field + " ") + problem
                + " (set via GATEWAY_PROVIDERS for overlays)");
    }
}
