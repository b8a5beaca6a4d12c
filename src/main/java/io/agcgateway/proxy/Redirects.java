package io.agcgateway.proxy;

import io.agcgateway.catalog.Provider;
import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which provider redirects the proxy follows itself (as Nango does, up to 5 hops): Jira attachment content and
 * Confluence downloads answer 3xx to a media host, and a caller whose only way out is the gateway cannot follow
 * those. A hop goes only to an http(s) host the catalog names for the provider — the host of {@code proxy.base_url},
 * of {@code proxy.allowed_base_urls}, or one of {@code proxy.redirect_hosts} — never one an answer picks; anything
 * else is refused (502 redirect_not_allowed) before a byte is sent there. Pure.
 */
final class Redirects {
    static final int MAX_HOPS = 5;
    static final Set<Integer> FOLLOWED = Set.of(301, 302, 303, 307, 308);

    private Redirects() {
    }

    /** The absolute target of {@code location} seen from the call's current URL, or null when it is not allowed. */
    static URI target(ProxyCall call, String location) {
        URI next;
        try {
            String q = call.targetQuery();
            next = URI.create(call.targetBase() + call.targetPath() + (q == null ? "" : "?" + q)).resolve(location.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || next.getRawUserInfo() != null || next.getHost() == null) {
            return null;
        }
        return hosts(call.entry().provider()).contains(next.getHost().toLowerCase(Locale.ROOT)) ? next : null;
    }

    static Set<String> hosts(Provider p) {
        Set<String> hosts = new HashSet<>(p.redirectHosts());
        hosts.add(host(p.proxyBaseUrl()));
        for (String u : p.allowedBaseUrls()) {
            hosts.add(host(u));
        }
        hosts.remove(null);
        return hosts;
    }

    private static String host(String url) {
        String h = url == null ? null : URI.create(url).getHost();
        return h == null ? null : h.toLowerCase(Locale.ROOT);
    }

    /** scheme://host[:port] of a target, the toD's base URL for the hop. */
    static String origin(URI u) {
        return u.getScheme() + "://" + u.getRawAuthority();
    }
}
