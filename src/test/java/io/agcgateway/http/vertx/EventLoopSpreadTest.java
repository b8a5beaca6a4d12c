package io.agcgateway.http.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.support.TestGateway;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.junit.jupiter.api.Test;

/**
 * The proxy runs on the event loops, so the connections must be spread over them. Created from a non-Vert.x thread,
 * every server instance shared that thread's (sticky) context: one event loop carried all the connections at 92% CPU
 * while the other idled (bench/proxy.sh scenario a, 64 callers). And each loop's calls use that loop's upstream client,
 * so an answer is not handed from the loop its connection lives on to the loop of the call.
 */
class EventLoopSpreadTest {

    @Test
    void connectionsAreServedByEveryServerInstancesEventLoop() throws Exception {
        Map<String, String> s = TestGateway.settings(TestGateway.Store.H2);
        s.put("gateway.http.server-instances", "2");
        Gateway gw = Gateway.start(s);
        try {
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(gw.context(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(gw.port()));
            // answers with the thread that serves the connection (the router runs on the connection's event loop)
            router.route("/loop-probe").handler(rc -> rc.response().end(Thread.currentThread().getName()));
            Set<String> loops = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                loops.add(askOnNewConnection(gw.port()));
            }
            assertThat(loops).as("event loops that served 8 new connections").hasSize(2)
                    .allSatisfy(name -> assertThat(name).startsWith("vert.x-eventloop-thread-"));
        } finally {
            gw.close();
        }
    }

    @Test
    void eachEventLoopHasItsOwnUpstreamClient_andCallsOffTheLoopsShareOne() throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        UpstreamComponent upstream = new UpstreamComponent(() -> vertx, 2, 8, 8, Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(1));
        try {
            Map<String, List<HttpClient>> byLoop = new ConcurrentHashMap<>();
            // four verticle instances on two loops: two contexts per loop, each asking twice
            vertx.deployVerticle(() -> new AbstractVerticle() {
                @Override
                public void start(Promise<Void> started) {
                    byLoop.computeIfAbsent(Thread.currentThread().getName(), k -> new ArrayList<>()).add(upstream.client());
                    vertx.runOnContext(v -> {
                        byLoop.get(Thread.currentThread().getName()).add(upstream.client());
                        started.complete();
                    });
                }
            }, new DeploymentOptions().setInstances(4)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(byLoop).hasSize(2);
            List<HttpClient> perLoop = new ArrayList<>();
            byLoop.forEach((loop, clients) -> {
                assertThat(clients).as(loop).hasSize(4);
                assertThat(new HashSet<>(clients)).as("one client on " + loop).hasSize(1);
                perLoop.add(clients.get(0));
            });
            assertThat(perLoop.get(0)).isNotSameAs(perLoop.get(1));
            HttpClient offLoop = upstream.client();
            assertThat(offLoop).isNotIn(perLoop).isSameAs(upstream.client());
        } finally {
            upstream.stop();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static String askOnNewConnection(int port) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /loop-probe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200");
            return answer.substring(answer.indexOf("\r\n\r\n") + 4).trim();
        }
    }
}
