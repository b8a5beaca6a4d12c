package io.agcgateway.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.agcgateway.Gateway;
import io.agcgateway.http.Json;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 12 item 10: values inside the API's 1 MB body limit that overflow their column answered 500 and logged the
 * value. Now 400 invalid_body, nothing stored, the value in no log line — on H2 and PostgreSQL.
 */
class ColumnLimitsTest {
    @ParameterizedTest
    @EnumSource(TestGateway.Store.class)
    void oversizedValues_are400_storeNothing_logNothing(TestGateway.Store store) {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        try (Gateway gw = TestGateway.start(store)) {
            Http http = new Http(gw.baseUrl(), gw.secretKey());
            JdbcTemplate jdbc = new JdbcTemplate(gw.dataSource());
            String marker = "Zq";
            Map<String, Object> creds = Map.of("type", "OAUTH2", "access_token", "a", "refresh_token", "r");
            Object[][] cases = {
                {"/connections", Map.of("provider_config_key", "agc-sandbox", "connection_id", "c1", "credentials",
                        Map.of("type", "OAUTH2", "access_token", marker.repeat(25_000), "refresh_token", "r"))},
                {"/connections", Map.of("provider_config_key", "agc-sandbox", "connection_id", "c2", "credentials",
                        Map.of("type", "OAUTH2", "access_token", "a", "raw", Map.of("x", marker.repeat(150_000))))},
                {"/connections", Map.of("provider_config_key", "agc-sandbox", "connection_id", "c3", "credentials", creds,
                        "connection_config", Map.of("x", marker.repeat(150_000)))},
                {"/connections", Map.of("provider_config_key", "agc-sandbox", "connection_id", "c4", "credentials", creds,
                        "tags", Map.of("x", marker.repeat(15_000)))},
                {"/connect/sessions", Map.of("end_user", Map.of("id", "u1"), "tags", Map.of("x", marker.repeat(15_000)))},
                {"/connect/sessions", Map.of("end_user", Map.of("id", "u1"), "integrations_config_defaults",
                        Map.of("agc-sandbox", Map.of("connection_config", Map.of("x", marker.repeat(60_000)))))},
            };
            int connections = jdbc.queryForObject("SELECT COUNT(*) FROM connections", Integer.class);
            int sessions = jdbc.queryForObject("SELECT COUNT(*) FROM connect_sessions", Integer.class);
            for (Object[] c : cases) {
                Http.Res r = http.post((String) c[0], Json.write(c[1]));
                assertThat(r.status()).as(c[0] + " " + r.body().substring(0, Math.min(200, r.body().length()))).isEqualTo(400);
                assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_body");
                assertThat(r.body()).doesNotContain(marker.repeat(10));
            }
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM connections", Integer.class)).isEqualTo(connections);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM connect_sessions", Integer.class)).isEqualTo(sessions);
            assertThat(logs.list).noneMatch(e -> e.getFormattedMessage().contains(marker.repeat(10))
                    || e.getThrowableProxy() != null && String.valueOf(e.getThrowableProxy().getMessage()).contains(marker.repeat(10)));
        } finally {
            root.detachAppender(logs);
        }
    }
}
