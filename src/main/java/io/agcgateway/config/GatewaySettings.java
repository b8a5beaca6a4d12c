package io.agcgateway.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The gateway's settings (docs/ARCHITECTURE.md "Configuration"), resolved once at startup and validated.
 * Precedence, highest first: explicit overrides (tests), env var (gateway.public-url -> GATEWAY_PUBLIC_URL),
 * -D system property, ./config/application.properties, the copy inside the jar.
 * Every getter returns a validated value; a bad one fails startup with a line naming the setting and the fix.
 */
public final class GatewaySettings {

    public static final String DEFAULTS = "config/application.properties";
    /**
     * Where config/ sits inside the jar. Not at the root: a Spring Boot app reads classpath:config/application.properties
     * as its own settings, above its application.properties, so a gateway.port set there was ignored and our camel.main.*
     * values became the host app's.
     */
    public static final String IN_JAR = "agc-gateway/";
    private static final Pattern UUID_V4 =
            Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", Pattern.CASE_INSENSITIVE);

    private final Map<String, String> values;

    /**
     * Durations the route files hand to camel-http, whose timeout options take plain milliseconds: each is also
     * published as {@code <key>.millis} (derived, not a setting of its own), so "15s" stays the one way to write it.
     */
    static final List<String> MILLIS_FOR_ROUTES = List.of("gateway.proxy.connect-timeout", "gateway.oauth.token-timeout",
            "gateway.webhook.timeout", "gateway.webhook.backoff");

    private GatewaySettings(Map<String, String> values) {
        this.values = values;
    }

    public static GatewaySettings load(Map<String, String> overrides) {
        return load(overrides, System.getenv(), Path.of(""));
    }

    /**
     * The settings as a Camel runtime's properties resolve them (its PropertiesComponent: camel-main's overrides, or
     * Spring's Environment in Camel Spring Boot): each key of the built-in defaults that {@code lookup} knows wins over
     * the layers of {@link #load(Map)}.
     */
    public static GatewaySettings load(Function<String, Optional<String>> lookup) {
        return load(lookup, System.getenv(), Path.of(""));
    }

    static GatewaySettings load(Function<String, Optional<String>> lookup, Map<String, String> env, Path workDir) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String key : builtIn().stringPropertyNames()) {
            if (key.startsWith("gateway.")) {
                lookup.apply(key).ifPresent(v -> given.put(key, v));
            }
        }
        return load(given, env, workDir);
    }

    static GatewaySettings load(Map<String, String> overrides, Map<String, String> env, Path workDir) {
        Properties merged = builtIn();
        Path local = workDir.resolve(DEFAULTS);
        if (Files.isRegularFile(local)) {
            Properties file = new Properties();
            try (Reader r = Files.newBufferedReader(local, StandardCharsets.UTF_8)) {
                file.load(r);
            } catch (IOException e) {
                throw new StartupException("cannot read " + local.toAbsolutePath() + ": " + e.getMessage(), e);
            }
            merged.putAll(file);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : merged.stringPropertyNames()) {
            values.put(key, merged.getProperty(key).trim());
        }
        for (String key : List.copyOf(values.keySet())) {
            if (!key.startsWith("gateway.")) {
                continue;
            }
            String sys = System.getProperty(key);
            if (sys != null) {
                values.put(key, sys.trim());
            }
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                values.put(key, fromEnv.trim());
            }
        }
        overrides.forEach((k, v) -> values.put(k, v == null ? "" : v.trim()));
        GatewaySettings settings = new GatewaySettings(values);
        settings.validate();
        for (String key : MILLIS_FOR_ROUTES) {
            values.put(key + ".millis", String.valueOf(settings.duration(key).toMillis()));
        }
        return settings;
    }

    private static Properties builtIn() {
        Properties p = new Properties();
        try (InputStream in = GatewaySettings.class.getClassLoader().getResourceAsStream(IN_JAR + DEFAULTS)) {
            if (in == null) {
                throw new StartupException("built-in " + DEFAULTS + " is missing from the jar: rebuild with mvn package");
            }
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StartupException("cannot read built-in " + DEFAULTS + ": " + e.getMessage(), e);
        }
        return p;
    }

    /** gateway.public-url -> GATEWAY_PUBLIC_URL, the way Camel maps property keys to env vars. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private void validate() {
        port();
        host();
        publicUrl();
        secretKey();
        operatorKey();
        encryptionKey();
        dbUrl();
        cluster();
        sandbox();
        bool("gateway.tracing.enabled");
        bool("gateway.proxy.mdc-logging");
        webhookUrl();
        providerFiles();
        duration("gateway.refresh.margin");
        duration("gateway.refresh.lease");
        duration("gateway.connect.session-ttl");
        duration("gateway.oauth.state-ttl");
        duration("gateway.proxy.connect-timeout");
        duration("gateway.proxy.idle-timeout");
        duration("gateway.proxy.lease-timeout");
        duration("gateway.proxy.refresh-on-401-min-age");
        integer("gateway.proxy.max-in-flight", 1, 1_000_000);
        integer("gateway.proxy.max-waiting", 0, 1_000_000);
        integer("gateway.proxy.blocking-threads", 1, 1024);
        duration("gateway.oauth.token-timeout");
        integer("gateway.api.max-body-bytes", 1024, Integer.MAX_VALUE);
        duration("gateway.api.body-timeout");
        duration("gateway.proxy.token-cache-sync");
        integer("gateway.db.pool-size", 2, 500);
        integer("gateway.db.h2-cache-kb", 256, 1 << 20);
        duration("gateway.db.fail-fast-window");
        integer("gateway.http.worker-threads", 4, 1024);
        serverInstances();
        duration("gateway.http.idle-timeout");
        integer("gateway.http.max-uri-length", 256, 1 << 20);
        integer("gateway.http.max-connections", 0, 10_000_000);
        integer("gateway.http.max-header-size", 1024, 1 << 20);
        integer("gateway.http.max-header-count", 10, 10_000);
        duration("gateway.logs.batch-linger");
        integer("gateway.logs.spool-max-bytes", 0, Integer.MAX_VALUE);
        duration("gateway.http.max-event-loop-block");
        websocketsPath();
        connectUiFrameAncestors();
        duration("gateway.websockets.ping-interval");
        duration("gateway.websockets.max-lifetime");
        integer("gateway.connect.max-starts-per-session", 1, 10_000);
        retention();
        purgeCron();
        purgeGrace();
        integer("gateway.purge.batch-size", 100, 1_000_000);
        if (cluster() && !isPostgres()) {
            throw bad("gateway.cluster", "true needs PostgreSQL", "set GATEWAY_DB_URL=jdbc:postgresql://... or GATEWAY_CLUSTER=false");
        }
    }

    // ---- typed accessors ----

    public String raw(String key) {
        return values.getOrDefault(key, "");
    }

    public Map<String, String> all() {
        return Map.copyOf(values);
    }

    public int port() {
        return integer("gateway.port", 0, 65535);
    }

    public String host() {
        String h = raw("gateway.host");
        if (h.isEmpty()) {
            throw bad("gateway.host", "is empty", "use 0.0.0.0 or 127.0.0.1");
        }
        return h;
    }

    /** External base URL without a trailing slash; the OAuth callback is {@code publicUrl()/oauth/callback}. */
    public String publicUrl() {
        String v = raw("gateway.public-url");
        if (v.isEmpty()) {
            return "http://localhost:" + port();
        }
        try {
            URI u = URI.create(v);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
                    || u.getQuery() != null || u.getFragment() != null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw bad("gateway.public-url", "'" + v + "' is not an http(s) base URL", "e.g. https://gateway.example.gov");
        }
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }

    /** Where @nangohq/frontend opens its socket: {@code new URL(websocketsPath, host)}, "/" unless told otherwise. */
    public String websocketsPath() {
        String v = raw("gateway.websockets.path");
        if (v.isEmpty()) {
            return "/";
        }
        if (!v.startsWith("/") || v.contains("?") || v.contains("#") || v.contains("*") || v.contains(":")) {
            throw bad("gateway.websockets.path", "'" + v + "' is not a plain path", "e.g. / (the SDK's default) or /ws");
        }
        return v;
    }

    /** CSP frame-ancestors of the Connect UI only (the API, dashboard, consent and callback pages stay unframable). */
    public String connectUiFrameAncestors() {
        String v = raw("gateway.connect-ui.frame-ancestors").strip();
        if (v.isEmpty() || v.contains(";") || v.contains(",") || v.chars().anyMatch(c -> c < 0x20)) {
            throw bad("gateway.connect-ui.frame-ancestors", "'" + v + "' is not a CSP source list",
                    "e.g. * (any origin) or 'self' https://app.example.gov (space-separated)");
        }
        return v;
    }

    /** A read-only key for /observe/jolokia only (operators' JMX tools), besides the secret key; empty = none. */
    public String operatorKey() {
        String v = raw("gateway.operator-key");
        if (!v.isEmpty() && !UUID_V4.matcher(v).matches()) {
            throw bad("gateway.operator-key", "is not a UUID v4", "generate one with `uuidgen`, or leave it empty (the secret key then opens Jolokia)");
        }
        return v;
    }

    /** How long operation rows are kept (Nango keeps its logs 15 days); at least an hour, so a typo cannot empty the log. */
    public Duration retention() {
        Duration d = duration("gateway.logs.retention");
        if (d.compareTo(Duration.ofHours(1)) < 0) {
            throw bad("gateway.logs.retention", raw("gateway.logs.retention") + " is under an hour", "e.g. 15d (Nango's default) or 90d");
        }
        return d;
    }

    /** Quartz cron of the purge route (routes/purge.camel.yaml). */
    public String purgeCron() {
        String v = raw("gateway.purge.cron");
        if (!org.quartz.CronExpression.isValidExpression(v)) {
            throw bad("gateway.purge.cron", "'" + v + "' is not a Quartz cron expression", "e.g. '0 17 * * * ?' for hourly at :17");
        }
        return v;
    }

    /**
     * How long past expiry (or use) OAuth state and connect sessions are kept. At least the OAuth state lifetime: a
     * flow started just before its session expired or was used may still reach the callback that long afterwards.
     */
    public Duration purgeGrace() {
        Duration d = duration("gateway.purge.grace");
        if (d.compareTo(duration("gateway.oauth.state-ttl")) < 0) {
            throw bad("gateway.purge.grace", raw("gateway.purge.grace") + " is shorter than gateway.oauth.state-ttl",
                    "keep it at least " + raw("gateway.oauth.state-ttl") + ", e.g. 1d, so no flow in progress loses its rows");
        }
        return d;
    }

    public String secretKey() {
        String v = raw("gateway.secret-key");
        if (!v.isEmpty() && !UUID_V4.matcher(v).matches()) {
            throw bad("gateway.secret-key", "is not a UUID v4", "generate one with `uuidgen` or leave it empty to have one generated");
        }
        return v;
    }

    /** The 32-byte AES key, or null when it must be generated (H2 only). */
    public byte[] encryptionKey() {
        String v = raw("gateway.encryption-key");
        if (v.isEmpty()) {
            return null;
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            throw bad("gateway.encryption-key", "is not base64", "generate one with `openssl rand -base64 32`");
        }
        if (key.length != 32) {
            throw bad("gateway.encryption-key", "decodes to " + key.length + " bytes, AES-256 needs 32",
                    "generate one with `openssl rand -base64 32`");
        }
        return key;
    }

    public Path dataDir() {
        String v = raw("gateway.data-dir");
        return Path.of(v.isEmpty() ? "./data" : v).toAbsolutePath().normalize();
    }

    public String dbUrl() {
        String v = raw("gateway.db.url");
        if (!v.isEmpty() && !v.startsWith("jdbc:postgresql:") && !v.startsWith("jdbc:h2:")) {
            throw bad("gateway.db.url", "'" + v.replaceAll("password=[^&]*", "password=***") + "' is not a jdbc:postgresql: or jdbc:h2: URL",
                    "e.g. jdbc:postgresql://db:5432/gateway, or leave empty for the embedded H2 store");
        }
        return v;
    }

    public boolean isPostgres() {
        return dbUrl().startsWith("jdbc:postgresql:");
    }

    /** HTTP server instances on the port, one per event loop: gateway.http.server-instances, 0 = one per CPU core. */
    public int serverInstances() {
        int n = integer("gateway.http.server-instances", 0, 64);
        return n == 0 ? Runtime.getRuntime().availableProcessors() : n;
    }

    public boolean cluster() {
        return bool("gateway.cluster");
    }

    public boolean sandbox() {
        return bool("gateway.sandbox");
    }

    public String webhookUrl() {
        String v = raw("gateway.webhook.url");
        if (!v.isEmpty()) {
            try {
                URI u = URI.create(v);
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw bad("gateway.webhook.url", "'" + v + "' is not an http(s) URL", "e.g. https://app.example.gov/webhooks/nango");
            }
        }
        return v;
    }

    public List<Path> providerFiles() {
        List<Path> files = new ArrayList<>();
        for (String part : raw("gateway.providers").split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Path p = Path.of(part.trim());
            if (!Files.isRegularFile(p)) {
                throw bad("gateway.providers", "file " + p.toAbsolutePath() + " does not exist", "fix the path or remove it from GATEWAY_PROVIDERS");
            }
            files.add(p);
        }
        return files;
    }

    public Duration duration(String key) {
        String v = raw(key);
        try {
            return parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw bad(key, "'" + v + "' is not a duration", "use a number with ms, s, m, h or d, e.g. 15m");
        }
    }

    public int integer(String key, int min, int max) {
        String v = raw(key);
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw bad(key, "'" + v + "' is not a number", "use a whole number between " + min + " and " + max);
        }
        if (n < min || n > max) {
            throw bad(key, n + " is out of range", "use a whole number between " + min + " and " + max);
        }
        return n;
    }

    public boolean bool(String key) {
        String v = raw(key).toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false") || v.isEmpty()) {
            return false;
        }
        throw bad(key, "'" + raw(key) + "' is not true or false", "use true or false");
    }

    public static Duration parseDuration(String v) {
        var m = Pattern.compile("^(\\d+)(ms|s|m|h|d)?$").matcher(v.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(v);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        Function<Long, Duration> f = switch (unit) {
            case "s" -> Duration::ofSeconds;
            case "m" -> Duration::ofMinutes;
            case "h" -> Duration::ofHours;
            case "d" -> Duration::ofDays;
            default -> Duration::ofMillis;
        };
        return f.apply(n);
    }

    static StartupException bad(String key, String problem, String fix) {
        return new StartupException("setting " + key + " (env " + envName(key) + ") " + problem + ": " + fix);
    }
}
