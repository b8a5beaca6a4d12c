package io.agcgateway.oauth;

import io.agcgateway.http.Json;
import java.util.List;
import java.util.Map;

/**
 * The Connect UI as @nangohq/frontend's openConnectUI() frames it: a transparent full-viewport page that draws its own
 * dialog. The shell says {type:'ready'} to its parent and posts the session token it gets back to itself (a form body,
 * never a URL); the choice page runs each flow in a popup through the WebSocket and tells the parent connect, error
 * and close (the events of the SDK's connectUI.js).
 */
final class ConnectUiPages {
    private static final String FRAME_STYLE = "<style>html,body{background:transparent}body{max-width:none;margin:0;padding:0;"
            + "min-height:100vh;background:rgba(9,30,66,.54)}.cu-dialog{background:#fff;max-width:30rem;margin:8vh auto 0;"
            + "padding:1.5rem;border-radius:8px;box-shadow:0 8px 24px rgba(9,30,66,.3)}"
            + "#cu-close{float:right;margin:0;background:#fff;color:#172b4d;border:1px solid #c1c7d0}</style>";

    private ConnectUiPages() {
    }

    static String shell() {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Connect - agc-gateway</title>" + FRAME_STYLE
                + "</head><body><div class=\"cu-dialog\" role=\"dialog\" aria-modal=\"true\" aria-label=\"Connect an account\">"
                + "<p role=\"status\">Loading…</p><form id=\"cu-form\" method=\"post\" action=\"\">"
                + "<input type=\"hidden\" name=\"session_token\"></form></div>"
                + "<script>(function(){window.addEventListener('message',function(e){"
                + "if(e.source!==window.parent||!e.data||e.data.type!=='session_token'||typeof e.data.sessionToken!=='string'){return;}"
                + "var f=document.getElementById('cu-form');f.elements.session_token.value=e.data.sessionToken;f.submit();});"
                + "window.parent.postMessage({type:'ready'},'*');})();</script></body></html>";
    }

    /**
     * A session token the Connect UI cannot use (malformed, unknown, expired, used): the reason, an {type:'error'} to the
     * parent and the close control, so the app's overlay never traps the user.
     */
    static String failure(String errorType, String message) {
        String payload = Json.write(Map.of("type", "error", "payload", Map.of("errorType", errorType,
                "errorMessage", message))).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Connect - agc-gateway</title>" + FRAME_STYLE
                + "</head><body><div class=\"cu-dialog\" role=\"alertdialog\" aria-modal=\"true\" aria-labelledby=\"cu-title\" "
                + "aria-describedby=\"cu-reason\"><button type=\"button\" id=\"cu-close\">Close</button>"
                + "<h1 id=\"cu-title\">This connect session cannot be used</h1><p id=\"cu-reason\" class=\"err\">"
                + Pages.esc(message + " Ask the application for a new session.") + "</p></div>"
                + "<script>(function(){function post(m){try{window.parent.postMessage(m,'*');}catch(e){}}post(" + payload + ");"
                + "var c=document.getElementById('cu-close');c.addEventListener('click',function(){post({type:'close'});});"
                + "document.addEventListener('keydown',function(e){if(e.key==='Escape'){post({type:'close'});}});c.focus();})();"
                + "</script></body></html>";
    }

    static String choices(String token, List<Pages.Choice> choices, String websocketsPath) {
        String page = Pages.connect(token, choices);
        String ws = Json.write(websocketsPath).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
        String open = "<div class=\"cu-dialog\" role=\"dialog\" aria-modal=\"true\" aria-labelledby=\"cu-title\">"
                + "<button type=\"button\" id=\"cu-close\">Close</button>";
        String close = "<p id=\"cu-status\" role=\"status\" aria-live=\"polite\"></p></div><script>(function(){var WS=" + ws + ";"
                + "var status=document.getElementById('cu-status');var busy=false;"
                + "function post(m){try{window.parent.postMessage(m,'*');}catch(e){}}"
                + "document.getElementById('cu-close').addEventListener('click',function(){post({type:'close'});});"
                // a modal dialog takes the focus: the first field, else the first Connect button (WAI-ARIA dialog pattern)
                + "var first=document.querySelector('form.card input:not([type=hidden]),form.card .cu-connect');if(first){first.focus();}"
                + "document.addEventListener('keydown',function(e){if(e.key==='Escape'){post({type:'close'});}});"
                + "Array.prototype.forEach.call(document.querySelectorAll('form.card'),function(f){"
                // a plain button, not a submit: the form must never navigate this frame itself
                + "f.addEventListener('submit',function(ev){ev.preventDefault();});"
                + "f.querySelector('.cu-connect').addEventListener('click',function(){if(busy||!f.reportValidity()){return;}busy=true;"
                // opened in the click handler itself, as the SDK does, so popup blockers let it through
                + "var popup=window.open('','_blank','width=500,height=600,scrollbars=yes,resizable=yes');"
                + "if(!popup){status.textContent='The browser blocked the sign-in window: allow pop-ups and try again.';"
                + "post({type:'error',payload:{errorType:'blocked_by_browser',errorMessage:'Modal blocked by browser'}});return;}"
                + "status.textContent='Continue in the sign-in window…';"
                + "var ws=new WebSocket(new URL(WS,location.href).href.replace(/^http/,'ws'));"
                + "ws.onmessage=function(m){var d;try{d=JSON.parse(m.data);}catch(x){return;}"
                + "if(d.message_type==='connection_ack'){var q=new URLSearchParams(new FormData(f));q.append('ws_client_id',d.ws_client_id);"
                + "popup.location.href=f.action+'?'+q.toString();}"
                + "else if(d.message_type==='success'){ws.close();status.textContent='Connected. You can close this dialog.';"
                + "post({type:'connect',payload:{providerConfigKey:d.provider_config_key,connectionId:d.connection_id,isPending:false}});"
                + "document.getElementById('cu-close').textContent='Done';document.getElementById('cu-close').focus();}"
                + "else if(d.message_type==='error'){ws.close();busy=false;status.textContent='The connection failed: '+d.error_desc;"
                + "post({type:'error',payload:{errorType:d.error_type,errorMessage:d.error_desc}});}};});});})();</script>";
        return page.replace("</head>", FRAME_STYLE + "</head>").replace("<body>", "<body>" + open)
                .replace("<h1>Connect an account</h1>", "<h1 id=\"cu-title\">Connect an account</h1>")
                .replace("<button type=\"submit\">Connect</button>", "<button type=\"button\" class=\"cu-connect\">Connect</button>")
                .replace("</body></html>", close + "</body></html>");
    }
}
