package io.agcgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.agcgateway.Gateway;
import io.agcgateway.logs.OperationLog;
import io.agcgateway.support.FlowDriver;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import io.agcgateway.tracing.MemorySpans;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs the flows that handle secrets (connect, callback, refresh, errors carrying secrets, proxy) and then looks for
 * every secret issued during the run in the captured logs, the operation rows, the metrics, the error bodies and the
 * raw database rows, the dashboard's Health numbers, Jolokia's JMX answers, and the spans of every route (tracing on, in-memory exporter).
 * None may appear anywhere but encrypted.
 */
class SecretsLeakTest {

    @Test
    void noIssuedSecret_appearsInLogsOperationsMetricsErrorsRawRowsOrSpans() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.setContext(ctx);
        captured.start();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(captured);
        Set<String> secrets = new LinkedHashSet<>();
        List<String> answers = new ArrayList<>();
        // min age 0: the 401 -> refresh -> replay path must run for its log lines to be checked
        try (Gateway gw = Gateway.start(TestGateway.with(TestGateway.settings(TestGateway.Store.H2),
                "gateway.proxy.refresh-on-401-min-age", "0s",
                "gateway.tracing.enabled", "true", "otel.traces.exporter", "memory", "otel.bsp.schedule.delay", "20"))) {
            FlowDriver flow = new FlowDriver(gw.baseUrl(), gw.secretKey());
            Http http = flow.http;
            secrets.add(gw.secretKey());
            secrets.add(http.get("/integrations/agc-sandbox?include=credentials").json().at("/data/credentials/client_secret").asText());

            // the OAuth flow, keeping the authorization code it carried
            String token = flow.session("leak-user", "agc-sandbox");
            secrets.add(token);
            // what Nango's Connect UI does with the token: API reads, and the framed page gets it in a form body
            Http session = new Http(gw.baseUrl(), token);
            assertThat(session.get("/integrations").status()).isEqualTo(200);
            assertThat(session.get("/providers/atlassian-government-cloud-sandbox").status()).isEqualTo(200);
            assertThat(session.get("/connect/session").status()).isEqualTo(200);
            Http.Res framed = flow.browser.send("POST", "/connect", "session_token=" + token,
                    "Content-Type", "application/x-www-form-urlencoded");
            assertThat(framed.status()).as(framed.toString()).isEqualTo(200);
            String ended = flow.session("leak-ended");
            secrets.add(ended);
            assertThat(new Http(gw.baseUrl(), ended).delete("/connect/session").status()).isEqualTo(204);
            answers.add(new Http(gw.baseUrl(), ended).get("/integrations").body());
            answers.add(flow.browser.send("POST", "/connect", "session_token=" + ended,
                    "Content-Type", "application/x-www-form-urlencoded").body());
            Http.Res connect = flow.connect("agc-sandbox", token, "acme");
            String callback = flow.approve(connect.header("Location"), null);
            secrets.add(FlowDriver.query(gw.baseUrl() + callback).get("code"));
            Http.Res page = flow.abs(callback);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            answers.add(page.body());
            answers.add(flow.abs(callback).body()); // replayed state and code: error page

            String id = flow.onlyConnection("leak-user").path("connection_id").asText();
            JsonNode first = http.get("/connections/" + id + "?provider_config_key=agc-sandbox&refresh_token=true").json();
            secrets.add(first.at("/credentials/access_token").asText());
            secrets.add(first.at("/credentials/refresh_token").asText());
            JsonNode second = http.get("/connections/" + id + "?provider_config_key=agc-sandbox&refresh_token=true&force_refresh=true").json();
            secrets.add(second.at("/credentials/access_token").asText());
            secrets.add(second.at("/credentials/refresh_token").asText());
            assertThat(second.at("/credentials/refresh_token").asText()).as("rotated").isNotEqualTo(first.at("/credentials/refresh_token").asText());

            // error paths that carry secrets in their input must not echo them
            String clientSecret = "cs-" + java.util.UUID.randomUUID();
            secrets.add(clientSecret);
            answers.add(http.post("/integrations", "{\"unique_key\":\"bad key!\",\"provider\":\"atlassian\",\"credentials\":{\"client_id\":\"a\",\"client_secret\":\""
                    + clientSecret + "\"}}").body());
            answers.add(http.post("/integrations", "{\"unique_key\":\"k\",\"provider\":\"atlassian\",\"credentials\":{\"client_id\":\"a\",\"client_secret\":\""
                    + clientSecret + "\",\"nope\":1}}").body());
            answers.add(http.post("/connections", "{\"provider_config_key\":\"agc-sandbox\",\"connection_id\":\"x\",\"credentials\":{\"type\":\"OAUTH2\",\"access_token\":\""
                    + clientSecret + "\",\"expires_at\":\"not a date\"}}").body());
            answers.add(http.get("/connections/" + id + "?provider_config_key=agc-sandbox&bogus=" + clientSecret).body());
            answers.add(flow.browser.get("/oauth/callback?state=" + clientSecret + "&code=" + clientSecret).body());

            // proxied calls (the sandbox echo reports what reached the provider)
            answers.add(http.send("GET", "/proxy/ex/jira/" + second.at("/connection_config/cloudId").asText() + "/rest/api/3/myself", null,
                    "Provider-Config-Key", "agc-sandbox", "Connection-Id", id).body());

            // upstream 401 -> forced refresh -> replay: the stored access token is one the provider never issued,
            // and the caller's own Cookie/Authorization-like headers must not travel or come back
            io.agcgateway.sandbox.SandboxAgc agc = gw.bean("sandboxAgc", io.agcgateway.sandbox.SandboxAgc.class);
            long refreshesBefore = agc.stats().refreshSuccesses();
            String bogus = "at-never-issued-" + java.util.UUID.randomUUID();
            String cookie = "ck-" + java.util.UUID.randomUUID();
            secrets.add(bogus);
            secrets.add(cookie);
            JdbcTemplate db = new JdbcTemplate(gw.dataSource());
            db.update("UPDATE connections SET access_token_enc=?, expires_at=?, version=version+1 WHERE connection_id=?",
                    gw.bean("tokenCipher", io.agcgateway.crypto.TokenCipher.class).encrypt(bogus, "access_token"),
                    System.currentTimeMillis() + 3_600_000L, id);
            gw.bean("tokenCache", io.agcgateway.proxy.TokenCache.class).invalidate("agc-sandbox", id);
            Http.Res echoed = http.send("POST", "/proxy/ex/jira/%7BconnectionConfig.cloudId%7D/_echo?q=1", "{\"a\":1}",
                    "Provider-Config-Key", "agc-sandbox", "Connection-Id", id, "Content-Type", "application/json",
                    "Cookie", "session=" + cookie);
            assertThat(echoed.status()).as("401 -> refresh -> replay answers the replay: " + echoed).isEqualTo(200);
            assertThat(agc.stats().refreshSuccesses()).as("one forced refresh").isEqualTo(refreshesBefore + 1);
            answers.add(echoed.body());
            answers.add(echoed.headers().map().toString());
            JsonNode third = http.get("/connections/" + id + "?provider_config_key=agc-sandbox&refresh_token=true").json();
            secrets.add(third.at("/credentials/access_token").asText());
            secrets.add(third.at("/credentials/refresh_token").asText());
            answers.add(http.send("GET", "/proxy/ex/jira/%7BconnectionConfig.cloudId%7D/_echo", null,
                    "Provider-Config-Key", "agc-sandbox", "Connection-Id", "no-such-connection").body());

            // a credential in a proxied call's query: the provider gets it, no span may
            String querySecret = "qs-" + java.util.UUID.randomUUID();
            assertThat(http.send("GET", "/proxy/ex/jira/%7BconnectionConfig.cloudId%7D/_echo?access_token=" + querySecret, null,
                    "Provider-Config-Key", "agc-sandbox", "Connection-Id", id).status()).isEqualTo(200);

            gw.bean("operationLog", OperationLog.class).flush(10_000);
            // the dashboard's Health page numbers (issue 17 item 3): counts only, after every flow above
            Http.Res health = http.get("/dashboard/api/health");
            assertThat(health.status()).as(health.toString()).isEqualTo(200);
            assertThat(health.json().at("/proxy/requests").asLong()).as("proxied calls counted").isPositive();
            answers.add(health.body());
            // JMX over HTTP (issue 17 item 1): every Camel MBean's attributes, the MBean list, the JVM's runtime
            for (String read : List.of("{\"type\":\"read\",\"mbean\":\"org.apache.camel:*\"}", "{\"type\":\"list\"}",
                    "{\"type\":\"read\",\"mbean\":\"java.lang:type=Runtime\",\"config\":{\"ignoreErrors\":true}}")) {
                Http.Res jmx = http.send("POST", "/observe/jolokia", read, "Content-Type", "application/json");
                assertThat(jmx.status()).as(jmx.toString()).isEqualTo(200);
                assertThat(jmx.json().path("status").asInt()).as(read).isEqualTo(200);
                answers.add(jmx.body());
            }
            List<SpanData> spans = MemorySpans.await(all -> MemorySpans.text(all).contains("_echo?access_token=REDACTED"));
            String spanText = MemorySpans.text(spans);
            assertThat(spanText).as("spans of the connect flow and the proxy were exported")
                    .contains("/oauth/connect/agc-sandbox?connect_session_token=REDACTED").contains("camel-upstream");
            assertThat(spanText).as("span holds the query secret").doesNotContain(querySecret);
            JdbcTemplate jdbc = new JdbcTemplate(gw.dataSource());
            String metrics = flow.browser.get("/observe/metrics").body();
            secrets.removeIf(s -> s == null || s.isBlank());
            assertThat(secrets).hasSizeGreaterThanOrEqualTo(9);

            StringBuilder logs = new StringBuilder();
            for (ILoggingEvent e : captured.list) {
                logs.append(e.getFormattedMessage()).append(' ').append(e.getMDCPropertyMap()).append(' ');
                if (e.getThrowableProxy() != null) {
                    logs.append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
                }
                logs.append('\n');
            }
            String operations = String.join("\n", jdbc.query("SELECT * FROM operations", (rs, n) -> {
                StringBuilder row = new StringBuilder();
                for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                    row.append(rs.getString(c)).append('|');
                }
                return row.toString();
            }));
            assertThat(operations).as("operations were written").isNotEmpty();
            String rawRows = dumpAllTables(jdbc);

            for (String secret : secrets) {
                String shown = secret.substring(0, Math.min(6, secret.length())) + "…";
                assertThat(logs.toString()).as("log lines contain secret " + shown).doesNotContain(secret);
                assertThat(operations).as("operation rows contain secret " + shown).doesNotContain(secret);
                assertThat(metrics).as("metrics contain secret " + shown).doesNotContain(secret);
                for (String answer : answers) {
                    assertThat(answer).as("an error/page body contains secret " + shown).doesNotContain(secret);
                }
                assertThat(rawRows).as("a raw database row holds secret " + shown + " in clear text").doesNotContain(secret);
                assertThat(spanText).as("a span holds secret " + shown).doesNotContain(secret);
            }
        } finally {
            root.detachAppender(captured);
        }
    }

    /** Every string-ish column of every application table, as text. */
    static String dumpAllTables(JdbcTemplate jdbc) {
        List<String> tables = jdbc.queryForList(
                "SELECT table_name FROM information_schema.tables WHERE table_schema IN ('PUBLIC','public') AND table_type IN ('BASE TABLE','TABLE')",
                String.class);
        assertThat(tables).isNotEmpty();
        StringBuilder all = new StringBuilder();
        for (String t : tables) {
            for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM \"" + t + "\"")) {
                all.append(t).append(':').append(row).append('\n');
            }
        }
        return all.toString();
    }
}
