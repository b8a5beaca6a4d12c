package io.agcgateway.sandbox;

import static io.agcgateway.oauth.Pages.esc;

import java.util.Map;

/** The sandbox's two HTML pages; everything echoed from the request is HTML-escaped. */
final class SandboxPages {
    private static final String STYLE = "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;color:#172b4d}"
            + "button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}.deny{background:#fff}.approve{background:#0052cc;color:#fff}"
            + "code{background:#f4f5f7;padding:0 .2rem}</style>";

    private SandboxPages() {
    }

    /** Approve and Deny re-submit the same query to /sandbox/authorize with decision=approve|deny. */
    static String consent(SandboxAgc.AuthorizeRequest req, Map<String, String> query) {
        StringBuilder hidden = new StringBuilder();
        query.forEach((k, v) -> {
            if (!k.equals("decision") && !k.equals("auto_approve")) {
                hidden.append("<input type=\"hidden\" name=\"").append(esc(k)).append("\" value=\"").append(esc(v)).append("\">");
            }
        });
        StringBuilder scopes = new StringBuilder();
        for (String s : req.scopes()) {
            scopes.append("<li><code>").append(esc(s)).append("</code></li>");
        }
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>AGC sandbox: authorize app</title>" + STYLE + "</head><body>"
                + "<h1>AGC sandbox</h1>"
                + "<p>The app <b>" + esc(req.clientId()) + "</b> asks for access to your Atlassian Government Cloud account "
                + "(sandbox sites <code>acme</code> and <code>acme-test</code>) with these scopes:</p>"
                + "<ul>" + scopes + "</ul>"
                + "<p>It will be sent back to <code>" + esc(req.redirectUri()) + "</code>.</p>"
                + "<form method=\"get\" action=\"authorize\">" + hidden
                + "<button class=\"approve\" type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>"
                + "<button class=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>"
                + "</form></body></html>";
    }

    static String error(String message) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>AGC sandbox: bad request</title>" + STYLE + "</head><body>"
                + "<h1>Something went wrong</h1><p>" + esc(message) + "</p>"
                + "<p>This is the emulated Atlassian Government Cloud. Check the authorization URL the app sent you here with.</p>"
                + "</body></html>";
    }
}
