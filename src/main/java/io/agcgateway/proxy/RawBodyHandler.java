package io.agcgateway.proxy;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs before platform-http on /proxy/*. platform-http parses form-encoded and multipart bodies into
 * fields (the raw body is lost, and with useStreaming multipart is refused), so the caller's Content-Type
 * is moved aside here and restored by ProxyService: every body reaches camel-http byte for byte.
 */
final class RawBodyHandler implements Handler<RoutingContext> {
    @Override
    public void handle(RoutingContext ctx) {
        var headers = ctx.request().headers();
        String ct = headers.get("Content-Type");
        headers.remove(ProxyService.RAW_CONTENT_TYPE);
        if (ct != null) {
            headers.set(ProxyService.RAW_CONTENT_TYPE, ct);
            headers.set("Content-Type", "application/octet-stream");
        }
        ctx.next();
    }
}
