package io.agcgateway.proxy;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Route step {@code proxyAttempt}: the message for one try — the catalog's and the caller's headers, the token, path,
 * query and body.
 */
public final class ProxyAttempt implements Processor {
    @Override
    public void process(Exchange exchange) {
        ProxyCall call = exchange.getProperty(ProxyCall.PROPERTY, ProxyCall.class);
        boolean first = call.attempts() == 0;
        call.attemptStarted();
        exchange.removeProperty(Exchange.EXCEPTION_CAUGHT);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader("User-Agent", io.agcgateway.http.Version.USER_AGENT);
        if (call.sendsCredentials()) {
            // the catalog's proxy.headers are the provider's: they stay behind with the token after a hop to another host
            m.getHeaders().putAll(call.catalogHeaders());
        }
        m.getHeaders().putAll(call.forward); // the caller's (Nango-Proxy-X) replace ours and the catalog's, as in Nango
        if (!call.sendsCredentials()) {
            m.removeHeader("Authorization");
        } else if (!call.callerAuthorization()) {
            m.setHeader("Authorization", "Bearer " + call.entry().accessToken());
        }
        exchange.setVariable("proxyBase", call.targetBase());
        m.setHeader(Exchange.HTTP_METHOD, call.targetMethod());
        m.setHeader(Exchange.HTTP_PATH, call.targetPath());
        if (call.targetQuery() != null) {
            m.setHeader(Exchange.HTTP_RAW_QUERY, call.targetQuery());
        }
        if (call.replayBody() != null) {
            // a Buffer handed to Vert.x is written out by its transport: each retry sends its own copy
            m.setBody(first ? call.replayBody() : call.replayBody().copy());
        } else if (call.streamsBody() && first) {
            String length = call.caller.getHeader("Content-Length");
            if (length != null) {
                m.setHeader("Content-Length", length.trim());
            }
            m.setBody(call.caller);
        } else {
            m.setBody(null);
        }
    }
}
