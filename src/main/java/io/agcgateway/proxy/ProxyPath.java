package io.agcgateway.proxy;

import io.agcgateway.http.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The caller's path after /proxy, checked and completed (docs/ARCHITECTURE.md "Proxy"): {connectionConfig.x} placeholders
 * filled from the connection, then anything that could leave the provider's base URL rejected.
 * Works on the raw (still percent-encoded) path so that what is checked is exactly what is sent.
 */
public final class ProxyPath {
    private static final Pattern BARE = Pattern.compile("connectionConfig\\.([A-Za-z0-9_.-]+)");
    /** {connectionConfig.x} or ${connectionConfig.x}, braces and $ raw or percent-encoded (the SDK's new URL() encodes them). */
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "(?:\\$|%24)?(?:\\{|%7B)connectionConfig\\.([A-Za-z0-9_.-]+)(?:\\}|%7D)", Pattern.CASE_INSENSITIVE);
    private static final int MAX_DECODE_ROUNDS = 3;

    private ProxyPath() {
    }

    /**
     * @param rawPath the request path after "/proxy", percent-encoded as received, starting with "/"
     * @return the path to append to the base URL, still percent-encoded
     */
    public static String resolve(String rawPath, Map<String, Object> connectionConfig) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.equals("/")) {
            throw invalid("The proxy path is empty: call /proxy/<provider API path>.");
        }
        String path = rawPath.indexOf('{') >= 0 || rawPath.indexOf('%') >= 0 ? fill(rawPath, connectionConfig) : rawPath;
        if (path.contains("connectionConfig.")) {
            path = bare(path, connectionConfig);
        }
        check(path);
        return path;
    }

    /**
     * curl globs {@code {connectionConfig.cloudId}} into {@code connectionConfig.cloudId} unless given {@code -g}, so the
     * curl of Nango's guide, pasted as is, sends the bare name: a path segment that is exactly
     * {@code connectionConfig.<key>} is filled like the braced placeholder.
     */
    static String bare(String path, Map<String, Object> config) {
        String[] segments = path.split("/", -1);
        boolean changed = false;
        for (int i = 0; i < segments.length; i++) {
            Matcher m = BARE.matcher(segments[i]);
            if (m.matches()) {
                segments[i] = "{connectionConfig." + m.group(1) + "}";
                changed = true;
            }
        }
        return changed ? fill(String.join("/", segments), config) : path;
    }

    static String fill(String path, Map<String, Object> config) {
        Matcher m = PLACEHOLDER.matcher(path);
        if (!m.find()) {
            return path;
        }
        StringBuilder out = new StringBuilder();
        do {
            String key = m.group(1);
            Object v = lookup(config, key);
            if (v == null || v instanceof Map || v instanceof java.util.Collection) {
                throw new GatewayException(400, "missing_connection_config",
                        "The path names connectionConfig." + key + " but the connection's connection_config has no such value.");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(encodeSegment(String.valueOf(v))));
        } while (m.find());
        m.appendTail(out);
        return out.toString();
    }

    static Object lookup(Map<String, Object> config, String dotted) {
        Object cur = config;
        for (String part : dotted.split("\\.", -1)) {
            if (!(cur instanceof Map<?, ?> map)) {
                return null;
            }
            cur = map.get(part);
        }
        return cur;
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters, so a value can never add a segment. */
    static String encodeSegment(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (byte x : v.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }

    private static void check(String path) {
        if (path.charAt(0) != '/') {
            throw invalid("The proxy path must start with '/'.");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x21 || c == 0x7f || c == '\\' || c == '#' || c > 0x7e) {
                throw invalid("The proxy path contains a character that is not allowed (control, space, backslash or non-ASCII).");
            }
            // RFC 3986 §3.3: a path is pchars; [ ] < > " ^ ` | { } must be percent-encoded (braces are left only
            // when they were not a connectionConfig placeholder), else the upstream URI cannot even be built
            if ("[]<>\"^`|{}".indexOf(c) >= 0) {
                throw invalid("The proxy path contains '" + c + "', which must be percent-encoded.");
            }
        }
        // split keeps a trailing empty segment ("/a/" -> "", "a", ""), which is allowed; any other empty one is "//"
        String[] segments = path.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            String seg = segments[i];
            if (seg.isEmpty()) {
                if (i != segments.length - 1) {
                    throw invalid("The proxy path contains '//'.");
                }
                continue;
            }
            String decoded = seg;
            for (int round = 0; round < MAX_DECODE_ROUNDS && decoded.indexOf('%') >= 0; round++) {
                decoded = decode(decoded);
                if (decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0 || hasControl(decoded)) {
                    throw invalid("The proxy path contains an encoded '/', '\\' or control character.");
                }
            }
            if (decoded.equals(".") || decoded.equals("..")) {
                throw invalid("The proxy path contains a '.' or '..' segment.");
            }
        }
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** Lenient percent-decoding: a malformed escape is kept as text (it is then sent as is, and checked as is). */
    private static String decode(String s) {
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                out[n++] = (byte) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static GatewayException invalid(String message) {
        return new GatewayException(400, "invalid_proxy_path", message);
    }
}
