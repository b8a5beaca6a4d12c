package io.agcgateway.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/**
 * CORS for the calls a page on another origin makes with a connect session token (Nango's Connect UI: GET/DELETE
 * /connect/session, GET /integrations, GET /providers/{p}): any origin, as Nango's public API. Never for a secret key:
 * an answer to one carries no Access-Control-Allow-Origin, so no page can read what the key opens.
 */
public final class PublicCors {
    private static final Pattern SESSION = Pattern.compile("^\\s*Bearer\\s+nango_connect_session_.*", Pattern.CASE_INSENSITIVE);
    // RFC 9110 §5.6.2 token characters and the list separators of Access-Control-Request-Headers
    private static final Pattern HEADER_LIST = Pattern.compile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\\s*,\\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$");

    /** Before the auth step, so that a refused session token's 401 is readable by the page too. */
    public void allowSession(Exchange ex) {
        String auth = ex.getMessage().getHeader("Authorization", String.class);
        if (auth != null && SESSION.matcher(auth).matches()) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Access-Control-Allow-Origin", "*");
            ex.setProperty(HttpReply.EXTRA_HEADERS, h);
        }
    }

    /**
     * OPTIONS: 204 with what the browser asks to send (the Authorization header above all), as the cors middleware of
     * Nango's server answers. The actual call still needs a session token to get Access-Control-Allow-Origin.
     * @param methods space-separated, e.g. "GET DELETE"
     */
    public void preflight(Exchange ex, String methods) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Access-Control-Allow-Origin", "*");
        h.put("Access-Control-Allow-Methods", String.join(", ", methods.strip().split("\\s+")));
        String asked = ex.getMessage().getHeader("Access-Control-Request-Headers", String.class);
        h.put("Access-Control-Allow-Headers", asked != null && HEADER_LIST.matcher(asked.strip()).matches()
                ? asked.strip() : "Authorization, Content-Type");
        h.put("Access-Control-Max-Age", "600");
        h.put("Vary", "Access-Control-Request-Headers");
        ex.setProperty(HttpReply.EXTRA_HEADERS, h);
        ex.setProperty(HttpReply.STATUS, 204);
        ex.getMessage().setBody(null);
    }
}
