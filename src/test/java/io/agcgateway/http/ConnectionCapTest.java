package io.agcgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.http.vertx.EventLoopServers;
import io.agcgateway.support.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 5: connections that send nothing (or half a request) cannot use up the node. Past
 * gateway.http.max-connections a new connection is closed on arrival; when the holders go, service resumes.
 */
class ConnectionCapTest {
    static final int CAP = 20;
    static Gateway gw;
    static int port;

    @BeforeAll
    static void start() {
        var s = TestGateway.settings(TestGateway.Store.H2);
        s.put("gateway.http.max-connections", String.valueOf(CAP));
        gw = Gateway.start(s);
        port = Integer.parseInt(s.get("gateway.port"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void silentConnectionsPastTheCap_areClosedOnArrival_andServiceResumesWhenTheyGo() throws Exception {
        EventLoopServers servers = gw.bean("eventLoopServers", EventLoopServers.class);
        await(() -> servers.open() == 0); // the boot's own calls are gone
        List<Socket> holders = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                Socket s = new Socket("127.0.0.1", port);
                holders.add(s);
                // half a request head: a slowloris holder
                s.getOutputStream().write("GET /observe/health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            await(() -> servers.open() == CAP);
            long refusedBefore = servers.refused();
            for (int i = 0; i < 5; i++) {
                try (Socket extra = new Socket("127.0.0.1", port)) {
                    extra.setSoTimeout(3_000);
                    assertThat(readsEnd(extra.getInputStream())).as("connection past the cap is closed at once").isTrue();
                }
            }
            assertThat(servers.refused() - refusedBefore).isEqualTo(5);
            assertThat(servers.open()).isEqualTo(CAP);
            var registry = gw.bean("gatewayMetrics", io.agcgateway.metrics.GatewayMetrics.class).registry();
            assertThat(registry.get("gateway_http_connections_open").gauge().value()).isEqualTo(CAP);
            assertThat(registry.get("gateway_http_connections_refused").functionCounter().count()).isGreaterThanOrEqualTo(5);
        } finally {
            for (Socket s : holders) {
                s.close();
            }
        }
        await(() -> servers.open() == 0);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET /observe/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200");
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(end);
            Thread.sleep(20);
        }
    }

    /** True when the server closed the connection (EOF or reset) before sending anything. */
    private static boolean readsEnd(InputStream in) throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
