package io.agcgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewaySettingsTest {
    @TempDir
    Path dir;

    private GatewaySettings load(Map<String, String> env) {
        return GatewaySettings.load(Map.of(), env, dir);
    }

    @Test
    void defaults_areDesignValues() {
        GatewaySettings s = load(Map.of());
        assertThat(s.port()).isEqualTo(3003);
        assertThat(s.publicUrl()).isEqualTo("http://localhost:3003");
        assertThat(s.sandbox()).isFalse();
        assertThat(s.cluster()).isFalse();
        assertThat(s.dbUrl()).isEmpty();
        assertThat(s.duration("gateway.refresh.margin")).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void runtimeProperties_winOverEnvAndFiles_andOnlyGatewayKeysAreAsked() {
        java.util.List<String> asked = new java.util.ArrayList<>();
        GatewaySettings s = GatewaySettings.load(key -> {
            asked.add(key);
            return key.equals("gateway.port") ? java.util.Optional.of("8081") : java.util.Optional.empty();
        }, Map.of("GATEWAY_PORT", "4100", "GATEWAY_SANDBOX", "true"), dir);
        assertThat(s.port()).isEqualTo(8081);
        assertThat(s.sandbox()).as("a key the runtime does not know keeps the env var").isTrue();
        assertThat(s.duration("gateway.refresh.margin")).isEqualTo(Duration.ofMinutes(15));
        assertThat(asked).contains("gateway.port", "gateway.db.url").allMatch(k -> k.startsWith("gateway."));
    }

    @Test
    void runtimeProperties_badValue_failsNamingTheSetting() {
        assertThatThrownBy(() -> GatewaySettings.load(key -> key.equals("gateway.port") ? java.util.Optional.of("30o3")
                : java.util.Optional.empty(), Map.of(), dir))
                .isInstanceOf(StartupException.class).hasMessageContaining("gateway.port").hasMessageContaining("GATEWAY_PORT");
    }

    @Test
    void embeddedH2_runsWithTheConfiguredPageCache_andABadSizeFailsNamingIt() throws Exception {
        GatewaySettings s = load(Map.of("GATEWAY_DATA_DIR", dir.resolve("data").toString(), "GATEWAY_DB_H2_CACHE_KB", "2048"));
        try (var ds = io.agcgateway.store.Database.open(s); var c = ds.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'CACHE_SIZE'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("2048");
        }
        assertThat(load(Map.of()).integer("gateway.db.h2-cache-kb", 256, 1 << 20)).isEqualTo(1024);
        assertThatThrownBy(() -> load(Map.of("GATEWAY_DB_H2_CACHE_KB", "16")))
                .isInstanceOf(StartupException.class).hasMessageContaining("gateway.db.h2-cache-kb");
    }

    @Test
    void envVar_overridesFile() {
        GatewaySettings s = load(Map.of("GATEWAY_PORT", "4100", "GATEWAY_PUBLIC_URL", "https://gw.example.gov/"));
        assertThat(s.port()).isEqualTo(4100);
        assertThat(s.publicUrl()).isEqualTo("https://gw.example.gov");
    }

    @Test
    void workingDirConfig_overridesBuiltIn_andEnvBeatsBoth() throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/application.properties"), "gateway.port = 5000\ngateway.host = 127.0.0.1\n");
        assertThat(load(Map.of()).port()).isEqualTo(5000);
        assertThat(load(Map.of()).host()).isEqualTo("127.0.0.1");
        assertThat(load(Map.of("GATEWAY_PORT", "5001")).port()).isEqualTo(5001);
    }

    @Test
    void retentionDefaults_areNangosFifteenDays_aDayOfGrace_andTwentyStartsPerSession() {
        GatewaySettings s = load(Map.of());
        assertThat(s.retention()).isEqualTo(Duration.ofDays(15));
        assertThat(s.purgeGrace()).isEqualTo(Duration.ofDays(1));
        assertThat(s.purgeCron()).isEqualTo("0 17 * * * ?");
        assertThat(s.integer("gateway.purge.batch-size", 100, 1_000_000)).isEqualTo(10_000);
        assertThat(s.integer("gateway.connect.max-starts-per-session", 1, 10_000)).isEqualTo(20);
    }

    @Test
    void purgeGrace_shorterThanTheOAuthStateLifetime_fails() {
        assertThatThrownBy(() -> load(Map.of("GATEWAY_PURGE_GRACE", "5m")))
                .isInstanceOf(StartupException.class).hasMessageContaining("GATEWAY_PURGE_GRACE").hasMessageContaining("state-ttl");
    }

    @Test
    void retentionUnderAnHour_badPurgeCron_andZeroStarts_fail() {
        assertThatThrownBy(() -> load(Map.of("GATEWAY_LOGS_RETENTION", "10m")))
                .isInstanceOf(StartupException.class).hasMessageContaining("GATEWAY_LOGS_RETENTION");
        assertThatThrownBy(() -> load(Map.of("GATEWAY_PURGE_CRON", "hourly")))
                .isInstanceOf(StartupException.class).hasMessageContaining("GATEWAY_PURGE_CRON");
        assertThatThrownBy(() -> load(Map.of("GATEWAY_CONNECT_MAX_STARTS_PER_SESSION", "0")))
                .isInstanceOf(StartupException.class).hasMessageContaining("GATEWAY_CONNECT_MAX_STARTS_PER_SESSION");
        assertThatThrownBy(() -> load(Map.of("GATEWAY_PURGE_BATCH_SIZE", "10")))
                .isInstanceOf(StartupException.class).hasMessageContaining("GATEWAY_PURGE_BATCH_SIZE");
    }

    @Test
    void malformedPort_failsNamingSettingAndEnvVar() {
        assertThatThrownBy(() -> load(Map.of("GATEWAY_PORT", "30o3")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("gateway.port").hasMessageContaining("GATEWAY_PORT").hasMessageContaining("'30o3'");
    }

    @Test
    void encryptionKey_ofWrongLength_fails() {
        assertThatThrownBy(() -> load(Map.of("GATEWAY_ENCRYPTION_KEY", "c2hvcnQ=")))
                .isInstanceOf(StartupException.class).hasMessageContaining("GATEWAY_ENCRYPTION_KEY").hasMessageContaining("32");
    }

    @Test
    void encryptionKey_notBase64_fails() {
        assertThatThrownBy(() -> load(Map.of("GATEWAY_ENCRYPTION_KEY", "not base64 !!")))
                .isInstanceOf(StartupException.class).hasMessageContaining("base64");
    }

    @Test
    void secretKey_notUuidV4_fails() {
        assertThatThrownBy(() -> load(Map.of("GATEWAY_SECRET_KEY", "hunter2")))
                .isInstanceOf(StartupException.class).hasMessageContaining("UUID v4");
    }

    @Test
    void cluster_withoutPostgres_fails() {
        assertThatThrownBy(() -> load(Map.of("GATEWAY_CLUSTER", "true")))
                .isInstanceOf(StartupException.class).hasMessageContaining("GATEWAY_DB_URL");
    }

    @Test
    void badBoolean_badUrl_badDuration_fail() {
        assertThatThrownBy(() -> load(Map.of("GATEWAY_SANDBOX", "yes"))).hasMessageContaining("GATEWAY_SANDBOX");
        assertThatThrownBy(() -> load(Map.of("GATEWAY_DB_URL", "mysql://x"))).hasMessageContaining("GATEWAY_DB_URL");
        assertThatThrownBy(() -> load(Map.of("GATEWAY_PUBLIC_URL", "ftp://x"))).hasMessageContaining("GATEWAY_PUBLIC_URL");
        assertThatThrownBy(() -> load(Map.of("GATEWAY_REFRESH_MARGIN", "soon"))).hasMessageContaining("GATEWAY_REFRESH_MARGIN");
        assertThatThrownBy(() -> load(Map.of("GATEWAY_WEBHOOK_URL", "not a url"))).hasMessageContaining("GATEWAY_WEBHOOK_URL");
        assertThatThrownBy(() -> load(Map.of("GATEWAY_PROVIDERS", "/nonexistent/p.yaml"))).hasMessageContaining("GATEWAY_PROVIDERS");
    }

    @Test
    void connectUiFrameAncestors_defaultsToAnyOrigin_envNarrows_badListFails() {
        assertThat(load(Map.of()).connectUiFrameAncestors()).isEqualTo("*");
        assertThat(load(Map.of("GATEWAY_CONNECT_UI_FRAME_ANCESTORS", "'self' https://app.example.gov")).connectUiFrameAncestors())
                .isEqualTo("'self' https://app.example.gov");
        for (String bad : new String[] {"https://a.example; script-src *", "https://a.example, https://b.example", " "}) {
            assertThatThrownBy(() -> load(Map.of("GATEWAY_CONNECT_UI_FRAME_ANCESTORS", bad))).as(bad)
                    .isInstanceOf(StartupException.class).hasMessageContaining("GATEWAY_CONNECT_UI_FRAME_ANCESTORS");
        }
    }

    @Test
    void dbUrlInError_hidesPassword() {
        assertThatThrownBy(() -> load(Map.of("GATEWAY_DB_URL", "mysql://h/db?password=topsecret")))
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void durations_parseUnits() {
        assertThat(GatewaySettings.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GatewaySettings.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(GatewaySettings.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(GatewaySettings.parseDuration("100")).isEqualTo(Duration.ofMillis(100));
    }
}
