package io.agcgateway.oauth;

import io.agcgateway.http.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The HTML a browser sees during the connect flow: escaped, self-contained (no external assets, CSP-friendly). */
public final class Pages {
    private static final String STYLE = "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;"
            + "color:#172b4d}h1{font-size:1.4rem}.card{border:1px solid #dfe1e6;border-radius:6px;padding:1rem;margin:1rem 0}"
            + "label{display:block;font-weight:600;margin:.5rem 0 .2rem}.hint{color:#5e6c84;font-size:.9rem}"
            + ".field{display:flex;align-items:center;gap:.25rem}input[type=text]{padding:.4rem;border:1px solid #c1c7d0;border-radius:4px}"
            + "button{margin-top:.8rem;padding:.5rem 1rem;background:#0052cc;color:#fff;border:0;border-radius:4px;cursor:pointer}"
            + ".err{color:#bf2600}.ok{color:#006644}code{background:#f4f5f7;padding:0 .2rem}</style>";

    private Pages() {
    }

    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** One allowed integration on the hosted connect page, with the catalog's subdomain field when it has one. */
    public record Choice(String key, String displayName, Map<String, Object> subdomainField) {
    }

    public static String connect(String sessionToken, List<Choice> choices) {
        StringBuilder b = head("Connect an account");
        b.append("<h1>Connect an account</h1>");
        if (choices.isEmpty()) {
            b.append("<p class=\"err\">No integration is available for this session. Ask the application that sent you here.</p>");
        }
        for (Choice c : choices) {
            b.append("<form class=\"card\" method=\"get\" action=\"/oauth/connect/")
                    .append(esc(URLEncoder.encode(c.key(), StandardCharsets.UTF_8).replace("+", "%20"))).append("\">");
            b.append("<strong>").append(esc(c.displayName())).append("</strong> <span class=\"hint\">(").append(esc(c.key())).append(")</span>");
            b.append("<input type=\"hidden\" name=\"connect_session_token\" value=\"").append(esc(sessionToken)).append("\">");
            Map<String, Object> f = c.subdomainField();
            if (f != null) {
                String id = "subdomain-" + Math.abs(c.key().hashCode());
                b.append("<label for=\"").append(id).append("\">").append(esc(str(f.get("title"), "Subdomain"))).append("</label>");
                if (f.get("description") != null) {
                    b.append("<div class=\"hint\">").append(esc(str(f.get("description"), ""))).append("</div>");
                }
                b.append("<div class=\"field\"><span>").append(esc(str(f.get("prefix"), ""))).append("</span>");
                b.append("<input type=\"text\" id=\"").append(id).append("\" name=\"params[subdomain]\"");
                if (f.get("pattern") != null) {
                    b.append(" pattern=\"").append(esc(str(f.get("pattern"), ""))).append("\"");
                }
                if (f.get("example") != null) {
                    b.append(" placeholder=\"").append(esc(str(f.get("example"), ""))).append("\"");
                }
                if (!Boolean.TRUE.equals(f.get("optional"))) {
                    b.append(" required");
                }
                b.append("><span>").append(esc(str(f.get("suffix"), ""))).append("</span></div>");
            }
            b.append("<button type=\"submit\">Connect</button></form>");
        }
        return b.append("</body></html>").toString();
    }

    public static String message(String title, String text) {
        return head(title).append("<h1>").append(esc(title)).append("</h1><p class=\"err\">").append(esc(text))
                .append("</p></body></html>").toString();
    }

    /**
     * Nango's callback page contract (@nangohq/frontend 0.71.10, Connect UI): post the result to the opener and to
     * BroadcastChannel 'nango-oauth-callback', close on 'nango_oauth_callback_ack'; a human reads the text.
     */
    public static String callback(boolean success, String title, String text, String errorType, String errorMessage) {
        return callback(success, title, text, errorType, errorMessage, null);
    }

    /** @param connected on success: providerConfigKey and connectionId, for a Connect UI that listens to the popup */
    public static String callback(boolean success, String title, String text, String errorType, String errorMessage,
                                  Map<String, Object> connected) {
        Map<String, Object> payload = new LinkedHashMap<>();
        if (success) {
            payload.put("type", "nango_oauth_callback_success");
            if (connected != null) {
                payload.put("payload", connected);
            }
        } else {
            payload.put("type", "nango_oauth_callback_error");
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("message", errorMessage);
            p.put("errorType", errorType);
            payload.put("payload", p);
        }
        // JSON inside <script>: escape '<' so a value can never close the script element.
        String json = Json.write(payload).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
        StringBuilder b = head(title);
        b.append("<h1 class=\"").append(success ? "ok" : "err").append("\">").append(esc(title)).append("</h1>");
        b.append("<p>").append(esc(text)).append("</p>");
        if (!success && errorType != null) {
            b.append("<p class=\"hint\">Error type: <code>").append(esc(errorType)).append("</code></p>");
        }
        b.append("<p class=\"hint\">You can close this window.</p>");
        b.append("<script>(function(){var m=").append(json).append(";window.__nangoOAuthError=")
                .append(success ? "null" : "m.payload").append(";")
                .append("try{if(window.opener){window.opener.postMessage(m,'*');}}catch(e){}")
                .append("var ch=null;try{ch=new BroadcastChannel('nango-oauth-callback');ch.postMessage(m);}catch(e){}")
                .append("function ack(ev){if(ev&&ev.data&&ev.data.type==='nango_oauth_callback_ack'){window.close();}}")
                .append("window.addEventListener('message',ack);if(ch){ch.onmessage=ack;}")
                .append(success ? "setTimeout(function(){if(window.opener){window.close();}},500);" : "")
                .append("})();</script></body></html>");
        return b.toString();
    }

    private static StringBuilder head(String title) {
        return new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                + "content=\"width=device-width,initial-scale=1\"><title>").append(esc(title)).append(" - agc-gateway</title>")
                .append(STYLE).append("</head><body>");
    }

    private static String str(Object o, String dflt) {
        return o == null ? dflt : String.valueOf(o);
    }
}
