package io.agcgateway.oauth;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the Atlassian site of a new connection from accessible-resources: the site whose URL's first host label
 * equals the user's subdomain (case-insensitive, exact so "acme" never picks "acme-test", Nango PR #4883), else the
 * first site. A pure function: the same sites and subdomain always give the same site and reason.
 */
public final class SiteSelector {
    private static final Pattern FIRST_LABEL = Pattern.compile("^https?://([^./:?#@]+)(?=[./:?#]|$)", Pattern.CASE_INSENSITIVE);

    /** @param site null when there is none to pick; reason is a code for logs and operations */
    public record Selection(Map<String, Object> site, String reason) {
    }

    public Selection select(List<Map<String, Object>> sites, String subdomain) {
        if (sites == null || sites.isEmpty()) {
            return new Selection(null, "no_sites");
        }
        String wanted = subdomain == null ? "" : subdomain.strip().toLowerCase(Locale.ROOT);
        if (!wanted.isEmpty()) {
            for (Map<String, Object> s : sites) {
                String label = firstHostLabel(s.get("url"));
                if (label != null && label.equals(wanted)) {
                    return new Selection(s, "subdomain_match");
                }
            }
        }
        for (Map<String, Object> s : sites) {
            if (s.get("id") instanceof String id && !id.isBlank()) {
                return new Selection(s, wanted.isEmpty() ? "first_site" : "no_subdomain_match_first_site");
            }
        }
        return new Selection(null, "no_site_with_id");
    }

    /** Step of route cloud-id-enrichment: applies {@link #select} to what the flow fetched. */
    public void choose(org.apache.camel.Exchange ex) {
        CallbackFlow flow = CallbackFlow.of(ex);
        flow.selection = select(flow.sites, flow.subdomain());
    }

    static String firstHostLabel(Object url) {
        if (!(url instanceof String u)) {
            return null;
        }
        Matcher m = FIRST_LABEL.matcher(u.strip());
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }
}
