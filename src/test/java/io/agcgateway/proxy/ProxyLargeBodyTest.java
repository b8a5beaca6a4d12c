package io.agcgateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.http.Json;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * 100 MB up and 100 MB down through a gateway whose JVM has a 96 MB heap: only streaming (and spooling) can pass.
 * The gateway runs in its own JVM so the test's own buffers do not count.
 */
class ProxyLargeBodyTest {
    static final long SIZE = 100L * 1024 * 1024;
    static final String KEY = "5b0b8a3e-2f4c-4d7a-9e1f-0c2d3e4f5a6b";

    @Test
    void hundredMegabytes_upAndDown_passWithASmallHeap() throws Exception {
        try (FakeUpstream up = new FakeUpstream()) {
            Path catalog = Files.createTempFile("providers-large", ".yaml");
            Files.writeString(catalog, up.catalogYaml(TestGateway.freePort()));
            int port = TestGateway.freePort();
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m",
                    "-cp", System.getProperty("java.class.path"), ProxyMemoryMain.class.getName(), catalog.toString(), String.valueOf(port))
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
                String line;
                boolean ready = false;
                while ((line = out.readLine()) != null) {
                    if (line.contains("READY")) {
                        ready = true;
                        break;
                    }
                }
                assertThat(ready).as("gateway JVM started").isTrue();
                Thread drain = new Thread(() -> out.lines().forEach(l -> System.out.println("gateway> " + l)));
                drain.setDaemon(true);
                drain.start();
                String base = "http://127.0.0.1:" + port;

                HttpRequest upload = HttpRequest.newBuilder(URI.create(base + "/proxy/sink")).timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + KEY).header("Provider-Config-Key", "jira").header("Connection-Id", "u1")
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(SIZE)), SIZE))
                        .build();
                HttpResponse<String> u = Http.CLIENT.send(upload, HttpResponse.BodyHandlers.ofString());
                assertThat(u.statusCode()).as(u.body()).isEqualTo(200);
                assertThat(Json.read(u.body()).get("bodyLength").asLong()).isEqualTo(SIZE);

                HttpRequest download = HttpRequest.newBuilder(URI.create(base + "/proxy/_bytes?size=" + SIZE)).timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + KEY).header("Provider-Config-Key", "jira").header("Connection-Id", "u1").build();
                HttpResponse<InputStream> d = Http.CLIENT.send(download, HttpResponse.BodyHandlers.ofInputStream());
                long n = 0;
                try (InputStream in = d.body()) {
                    byte[] b = new byte[65536];
                    int k;
                    while ((k = in.read(b)) > 0) {
                        n += k;
                    }
                }
                assertThat(d.statusCode()).isEqualTo(200);
                assertThat(n).isEqualTo(SIZE);
                assertThat(p.isAlive()).as("gateway JVM survived (no OutOfMemoryError exit)").isTrue();
            } finally {
                p.destroy();
                p.waitFor();
            }
        }
    }

    /** n zero bytes without holding them. */
    static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long n) {
            left = n;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
