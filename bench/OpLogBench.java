import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.agcgateway.logs.Operation;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.metrics.GatewayMetrics;
import io.agcgateway.store.Database;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operation log's writer alone: proxy-shaped operations (as ProxyCallLog builds them) pushed through OperationLog into
 * a fresh H2 file store (the gateway's default, same URL options) or the PostgreSQL of GATEWAY_DB_URL, in rounds.
 * Prints per round the writer thread's CPU and allocation per row and the whole process's CPU per row (GC and H2's
 * own threads included). Run: java -Xmx256m -cp target/agc-gateway.jar bench/OpLogBench.java [rows-per-round] [rounds]
 */
public class OpLogBench {
    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        String url = System.getenv().getOrDefault("GATEWAY_DB_URL", "");
        Path dir = null;
        HikariConfig cfg = new HikariConfig();
        if (url.isEmpty()) {
            dir = Files.createTempDirectory("oplog-bench");
            cfg.setJdbcUrl("jdbc:h2:file:" + dir.resolve("gateway") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
            cfg.setUsername("sa");
        } else {
            cfg.setJdbcUrl(url);
            cfg.setUsername(System.getenv("GATEWAY_DB_USER"));
            cfg.setPassword(System.getenv("GATEWAY_DB_PASSWORD"));
        }
        cfg.setMaximumPoolSize(4);
        try (HikariDataSource ds = new HikariDataSource(cfg)) {
            Database.migrate(ds, url.startsWith("jdbc:postgresql:"));
            OperationLog log = new OperationLog(ds, 100_000, Duration.ofMillis(200), new GatewayMetrics());
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long writer = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("operation-log-writer"))
                    .findFirst().orElseThrow().getId();
            System.out.printf("store: %s, %d rows per round%n", url.isEmpty() ? "H2 file (gateway default)" : "GATEWAY_DB_URL", rows);
            for (int round = 1; round <= rounds; round++) {
                long cpu0 = threads.getThreadCpuTime(writer);
                long alloc0 = threads.getThreadAllocatedBytes(writer);
                long proc0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                for (int i = 0; i < rows; i++) {
                    while (!log.submit(proxyCall())) {
                        Thread.sleep(1);
                    }
                }
                log.flush(600_000);
                double cpu = (threads.getThreadCpuTime(writer) - cpu0) / 1000.0 / rows;
                long alloc = (threads.getThreadAllocatedBytes(writer) - alloc0) / rows;
                double proc = (os.getProcessCpuTime() - proc0) / 1000.0 / rows;
                System.out.printf("round %d: writer %.1f us/row, %d B/row allocated; process %.1f us/row; %d ms; written %d%n",
                        round, cpu, alloc, proc, (System.nanoTime() - t0) / 1_000_000, log.written());
            }
            log.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One proxied call's operation: the request (method, URL, redacted headers) and the answer's status and headers. */
    private static Operation proxyCall() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        headers.put("Authorization", "REDACTED");
        headers.put("User-Agent", "bench");
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("method", "GET");
        request.put("url", "https://api.atlassian-us-gov-mod.com/ex/jira/cloud-1/rest/api/3/search?maxResults=10");
        request.put("headers", headers);
        Map<String, Object> answerHeaders = new LinkedHashMap<>();
        answerHeaders.put("Content-Type", "application/json");
        answerHeaders.put("Content-Length", "123");
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("status", 200);
        response.put("headers", answerHeaders);
        long now = System.currentTimeMillis();
        return new Operation("proxy", "proxy", "success", "bench", "c1", "GET /rest/api/3/search -> 200", null, 200, 1, 3L,
                request, response, null, now, now + 3);
    }
}
