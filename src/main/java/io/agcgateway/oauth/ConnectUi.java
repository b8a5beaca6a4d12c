package io.agcgateway.oauth;

import io.agcgateway.http.GatewayException;
import io.agcgateway.http.HttpReply;
import io.agcgateway.http.RequestParams;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * GET/POST /connect: with ?session_token= the standalone page (connect_link, never framed); without it the Connect UI
 * that openConnectUI() frames: the shell, then (POST of the token it was given) the choice page, or the refusal page for
 * a token it cannot use. Only these may be framed, by gateway.connect-ui.frame-ancestors (default any origin, as Nango's
 * hosted Connect UI).
 */
public final class ConnectUi {
    private static final String FRAMABLE = "agc.framable";

    private final ConnectSessions sessions;
    private final String frameAncestors;
    private final String websocketsPath;

    public ConnectUi(ConnectSessions sessions, String frameAncestors, String websocketsPath) {
        this.sessions = sessions;
        this.frameAncestors = frameAncestors;
        this.websocketsPath = websocketsPath;
    }

    public void page(Exchange ex) {
        if ("POST".equals(ex.getMessage().getHeader(Exchange.HTTP_METHOD, String.class))) {
            ex.setProperty(FRAMABLE, true);
            sessions.render(ex, formField(ex, "session_token"), websocketsPath);
            return;
        }
        String token;
        try {
            token = RequestParams.query(ex).get("session_token");
        } catch (GatewayException e) {
            token = null;
        }
        if (token != null) {
            sessions.render(ex, token, null);
            return;
        }
        ex.setProperty(FRAMABLE, true);
        ex.setProperty(HttpReply.STATUS, 200);
        ex.getMessage().setBody(ConnectUiPages.shell());
    }

    /** After reply.html: the Connect UI pages get frame-ancestors from the setting and may open the WebSocket. */
    public void frameHeaders(Exchange ex) {
        if (Boolean.TRUE.equals(ex.getProperty(FRAMABLE, Boolean.class))) {
            ex.getMessage().removeHeader("X-Frame-Options");
            ex.getMessage().setHeader("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
                    + "style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors " + frameAncestors);
        }
    }

    private static String formField(Exchange ex, String name) {
        if (ex.getIn() instanceof HttpMessage m && m.getRequest() != null) {
            String v = m.getRequest().getFormAttribute(name);
            if (v != null) {
                return v;
            }
        }
        Object body = ex.getMessage().getBody();
        return body instanceof java.util.Map<?, ?> map && map.get(name) != null ? String.valueOf(map.get(name)) : null;
    }
}
