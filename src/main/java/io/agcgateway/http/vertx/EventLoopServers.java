package io.agcgateway.http.vertx;

import com.sun.management.UnixOperatingSystemMXBean;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * platform-http starts one Vert.x {@code HttpServer}: every connection then lands on one event loop, so the routes
 * that run there (api-proxy) use one core. This starts {@code instances} servers on the same port with the same
 * router, each in a verticle instance of its own and so on an event loop of its own (Vert.x shares the port and
 * hands the connections to the instances in turn), with the
 * connection idle timeout platform-http does not set — idle keep-alives, half-sent requests and callers that stop
 * reading are closed — then closes the original server. Nothing is unbound in between: the port stays shared.
 */
public final class EventLoopServers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoopServers.class);
    private Vertx vertx;
    private String deployment;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final int maxConnections;
    private boolean nativeTransport;

    private EventLoopServers(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    /** Client connections open now, on all instances. */
    public int open() {
        return open.get();
    }

    /** Whether Vert.x runs Netty's native (epoll) transport rather than Java NIO (gateway.http.native-transport). */
    public boolean nativeTransport() {
        return nativeTransport;
    }

    /** Connections closed on arrival because {@code gateway.http.max-connections} were open. */
    public long refused() {
        return refused.get();
    }

    /**
     * The connection cap: past {@code maxConnections} open client connections a new one is closed as it arrives (before
     * a byte is read), so idle or half-sent connections cannot use up the process's file descriptors — the database,
     * the upstream pool and health keep theirs, and service resumes as soon as connections go.
     */
    private void admit(HttpConnection conn) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            long n = refused.incrementAndGet();
            if (n == 1 || Long.bitCount(n) == 1) { // one line, then at 2, 4, 8, ... refusals: never a flood of them
                LOG.warn("connection cap reached: {} client connections open (gateway.http.max-connections); {} refused so far",
                        maxConnections, n);
            }
            conn.close();
            return;
        }
        conn.closeHandler(v -> open.decrementAndGet());
    }

    /** The default cap: three quarters of the process's file-descriptor limit, the rest for the database and upstreams. */
    public static int defaultMaxConnections() {
        long fds = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : 4096;
        return (int) Math.max(64, Math.min(Integer.MAX_VALUE, fds * 3 / 4));
    }

    public static EventLoopServers takeOver(CamelContext ctx, String host, int port, int instances, Duration idleTimeout,
            int maxInitialLine, int maxHeaderBytes, int maxConnections, RequestGuard guard) {
        VertxPlatformHttpRouter r = VertxPlatformHttpRouter.lookup(ctx, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        VertxPlatformHttpServer platform = r == null ? null : r.getServer();
        EventLoopServers s = new EventLoopServers(maxConnections);
        if (platform == null || platform.getServer() == null) {
            throw new IllegalStateException("the platform-http server is not running");
        }
        HttpServer original = platform.getServer();
        Handler<HttpServerRequest> router = original.requestHandler();
        if (!(router instanceof Router top)) {
            throw new IllegalStateException("the platform-http server has no Vert.x Web router");
        }
        // before every route, so an oversized API body is refused before the body handler buffers it
        top.route().order(Integer.MIN_VALUE).handler(guard);
        top.errorHandler(413, guard::tooLarge);
        r.errorHandler(413, guard::tooLarge);
        top.errorHandler(404, guard::notFound);
        top.errorHandler(405, guard::notAllowed);
        r.errorHandler(404, guard::notFound);
        r.errorHandler(405, guard::notAllowed);
        Vertx vertx = platform.getVertx();
        s.nativeTransport = vertx.isNativeTransportEnabled();
        // No cleartext HTTP/2 upgrade (h2c): an upgraded first request (a JDK client's, say) whose answer exceeds one
        // HTTP/2 frame now and then stalls until the idle timeout with the server idle (CleartextUpgradeTest), and large
        // upgraded request bodies stall too; clients fall back to HTTP/1.1 when the server ignores "Upgrade: h2c".
        // HTTP/2 belongs on the TLS listener in front.
        HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false)
                .setIdleTimeout((int) Math.max(1, idleTimeout.toMillis())).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxInitialLineLength(maxInitialLine).setMaxHeaderSize(maxHeaderBytes);
        // Each server must be created on its own event-loop context: created from this (non-Vert.x) thread they would
        // all share the thread's sticky context, so one event loop would carry every connection (measured: one loop at
        // 92% CPU, the others idle, 18% of the machine unused at 64 callers). A verticle instance gets a context each.
        try {
            s.vertx = vertx;
            s.deployment = vertx.deployVerticle(() -> new AbstractVerticle() {
                @Override
                public void start(Promise<Void> started) {
                    HttpServer server = vertx.createHttpServer(options).requestHandler(router).connectionHandler(s::admit);
                    server.listen(port, host).<Void>mapEmpty().onComplete(started);
                }
            }, new DeploymentOptions().setInstances(instances))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            original.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            s.close();
            throw new IllegalStateException("cannot start " + instances + " HTTP server instances on port " + port + ": " + e.getMessage(), e);
        }
        LOG.info("HTTP served by {} event-loop server instances on {}:{} (idle timeout {} ms, at most {} connections, {} transport)",
                instances, host, port, idleTimeout.toMillis(), maxConnections, s.nativeTransport ? "epoll" : "NIO");
        return s;
    }

    @Override
    public void close() {
        if (deployment != null) {
            vertx.undeploy(deployment); // closes the servers its instances started
            deployment = null;
        }
    }
}
