package io.agcgateway.proxy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/** Route step {@code proxyRespond}: the provider's status and headers minus hop-by-hop ones; the body is already set. */
public final class ProxyRespond implements Processor {
    @Override
    public void process(Exchange exchange) {
        ProxyCall call = exchange.getProperty(ProxyCall.PROPERTY, ProxyCall.class);
        Message m = exchange.getMessage();
        int status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, 502, Integer.class);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> h : m.getHeaders().entrySet()) {
            if (ProxyHeaders.relayed(h.getKey())) {
                out.put(h.getKey(), h.getValue());
            }
        }
        m.removeHeaders("*");
        m.getHeaders().putAll(out);
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        call.relayed(out);
    }
}
