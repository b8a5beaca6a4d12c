package io.agcgateway.web;

import io.agcgateway.http.GatewayException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Serves the dashboard from classpath {@code web/}: only names made of plain segments with a known
 * extension, so no request can climb out of the folder or reach a class file. Files are read once
 * and kept; an ETag lets browsers revalidate cheaply because the names carry no content hash.
 */
public final class StaticFiles {
    /** Plain segments only: each starts with a letter or digit, no "..", no "%", no backslash. */
    private static final Pattern SAFE_PATH = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*(/[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*)*$");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");
    // No inline script or style anywhere in web/; the popup to /oauth/connect is a navigation, not a fetch.
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /**
     * Chart library of the Health page, from its webjar (pom.xml): {@code /ui/vendor/uplot/NAME} is the jar's
     * {@code dist/NAME}. The version in the path comes from the webjar's own pom.properties, so a pom upgrade needs
     * no code change.
     */
    static final String UPLOT = "vendor/uplot/";

    private final String root;
    private final String uplotRoot;
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    record Asset(byte[] bytes, String contentType, String etag) {
    }

    public StaticFiles() {
        this("web/");
    }

    StaticFiles(String root) {
        this.root = root;
        this.uplotRoot = webjarRoot("uplot") + "dist/";
    }

    /** {@code GET /} and {@code GET /ui}: the single page. */
    public void index(Exchange exchange) {
        answer(exchange, "index.html", "no-cache");
    }

    /** {@code GET /ui/*}: scripts, styles, images. Revalidated on each load so an upgrade shows at once. */
    public void asset(Exchange exchange) {
        answer(exchange, relative(exchange, "/ui/"), "no-cache");
    }

    /** {@code GET /logos/<provider>.svg}: the integration logos the API links to; they rarely change. */
    public void logo(Exchange exchange) {
        String name = relative(exchange, "/logos/");
        if (name.contains("/")) {
            throw notFound();
        }
        answer(exchange, "logos/" + name, "public, max-age=86400");
    }

    /** The path below {@code prefix}, judged on the raw request URI so encoded tricks (%2e%2e, %2f, %5c) are refused too. */
    static String relative(Exchange exchange, String prefix) {
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (uri == null) {
            throw notFound();
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        int scheme = path.indexOf("://");
        if (scheme >= 0) {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        if (!path.startsWith(prefix)) {
            throw notFound();
        }
        return path.substring(prefix.length());
    }

    void answer(Exchange exchange, String name, String cacheControl) {
        Asset asset = load(name).orElseThrow(StaticFiles::notFound);
        Message m = exchange.getMessage();
        String ifNoneMatch = m.getHeader("If-None-Match", String.class);
        boolean head = "HEAD".equals(m.getHeader(Exchange.HTTP_METHOD, String.class));
        m.removeHeaders("*");
        securityHeaders(m);
        m.setHeader("Cache-Control", cacheControl);
        m.setHeader("ETag", asset.etag());
        m.setHeader(Exchange.CONTENT_TYPE, asset.contentType());
        if (asset.etag().equals(ifNoneMatch)) {
            m.setHeader(Exchange.HTTP_RESPONSE_CODE, 304);
            m.setBody(null);
            return;
        }
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setBody(head ? null : asset.bytes());
    }

    Optional<Asset> load(String name) {
        if (!isSafe(name)) {
            return Optional.empty();
        }
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1).toLowerCase());
        if (type == null) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(name, n -> read(n, type));
    }

    static boolean isSafe(String name) {
        return name != null && name.length() <= 200 && SAFE_PATH.matcher(name).matches() && name.contains(".");
    }

    private Optional<Asset> read(String name, String type) {
        String path = name.startsWith(UPLOT) ? uplotRoot + name.substring(UPLOT.length()) : root + name;
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(new Asset(bytes, type, etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** {@code META-INF/resources/webjars/NAME/VERSION/} of an npm webjar on the classpath. */
    static String webjarRoot(String name) {
        String props = "META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(props)) {
            if (in == null) {
                throw new IllegalStateException("webjar " + name + " is not on the classpath (pom.xml)");
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return "META-INF/resources/webjars/" + name + "/" + p.getProperty("version") + "/";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + props, e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void securityHeaders(Message m) {
        m.setHeader("Content-Security-Policy", CSP);
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("X-Frame-Options", "DENY");
        m.setHeader("Referrer-Policy", "no-referrer");
        m.setHeader("Cross-Origin-Opener-Policy", "same-origin-allow-popups");
    }

    private static GatewayException notFound() {
        return GatewayException.notFound("not_found", "No such file in the dashboard.");
    }
}
