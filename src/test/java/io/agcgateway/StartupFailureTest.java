package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agcgateway.config.StartupException;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Bad settings stop startup with one line naming the setting and the fix, and change nothing stored. */
class StartupFailureTest {

    private static String newKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    @Test
    void wrongEncryptionKey_failsClearly_andTheRightKeyStillWorks() {
        String right = newKey();
        Map<String, String> s = TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.encryption-key", right);
        String secret;
        try (Gateway gw = Gateway.start(s)) {
            secret = gw.secretKey();
            new Http(gw.baseUrl(), secret).post("/integrations", """
                    {"unique_key":"k","provider":"atlassian","credentials":{"client_id":"a","client_secret":"b"}}""");
        }
        assertThatThrownBy(() -> Gateway.start(TestGateway.with(s, "gateway.encryption-key", newKey())))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("gateway.encryption-key").hasMessageContaining("GATEWAY_ENCRYPTION_KEY")
                .hasMessageContaining("restore the original key");
        try (Gateway gw = Gateway.start(s)) {
            assertThat(gw.secretKey()).isEqualTo(secret);
            assertThat(new Http(gw.baseUrl(), secret).get("/integrations/k?include=credentials").json()
                    .at("/data/credentials/client_secret").asText()).isEqualTo("b");
        }
    }

    @Test
    void generatedEncryptionKeyFile_isOwnerOnly() throws Exception {
        Map<String, String> s = TestGateway.settings(TestGateway.Store.H2);
        try (Gateway gw = Gateway.start(s)) {
            Path key = Path.of(s.get("gateway.data-dir")).resolve("encryption.key");
            assertThat(Files.getPosixFilePermissions(key)).containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            String raw = new JdbcTemplate(gw.dataSource()).queryForObject(
                    "SELECT meta_value FROM gateway_meta WHERE meta_key='secret_key'", String.class);
            assertThat(raw).startsWith("v1:").doesNotContain(gw.secretKey());
        }
    }

    @Test
    void unreachablePostgres_failsNamingDbUrl() {
        Map<String, String> s = TestGateway.with(TestGateway.settings(TestGateway.Store.H2),
                "gateway.db.url", "jdbc:postgresql://127.0.0.1:1/gateway", "gateway.encryption-key", newKey());
        assertThatThrownBy(() -> Gateway.start(s)).isInstanceOf(StartupException.class)
                .hasMessageContaining("GATEWAY_DB_URL").hasMessageContaining("cannot connect");
    }

    @Test
    void postgresWithoutEncryptionKey_fails() {
        Map<String, String> s = TestGateway.with(TestGateway.settings(TestGateway.Store.POSTGRES), "gateway.encryption-key", "");
        assertThatThrownBy(() -> Gateway.start(s)).isInstanceOf(StartupException.class)
                .hasMessageContaining("GATEWAY_ENCRYPTION_KEY").hasMessageContaining("required with PostgreSQL");
    }

    @Test
    void invalidCatalogOverlay_failsNamingFileProviderAndField() throws Exception {
        Path overlay = Files.createTempFile("providers", ".yaml");
        Files.writeString(overlay, "broken:\n    display_name: B\n    auth_mode: OAUTH2\n    authorization_url: https://a.example/x\n    proxy: {base_url: https://a.example}\n");
        Map<String, String> s = TestGateway.with(TestGateway.settings(TestGateway.Store.H2), "gateway.providers", overlay.toString());
        assertThatThrownBy(() -> Gateway.start(s)).isInstanceOf(StartupException.class)
                .hasMessageContaining(overlay.toString()).hasMessageContaining("'broken'").hasMessageContaining("token_url");
    }

    @Test
    void process_portInUse_printsOneLineNamingPort() throws Exception {
        Map<String, String> s = TestGateway.settings(TestGateway.Store.H2);
        try (Gateway gw = Gateway.start(s)) {
            Proc p = runMain(Map.of("GATEWAY_PORT", s.get("gateway.port"), "GATEWAY_HOST", "127.0.0.1",
                    "GATEWAY_DATA_DIR", TestGateway.tempDir().toString()));
            assertThat(p.exit).isEqualTo(2);
            assertThat(p.stderr).contains("GATEWAY_PORT").contains("already in use");
        }
    }

    @Test
    void process_withMalformedSetting_printsOneLineAndExits2() throws Exception {
        Proc p = runMain(Map.of("GATEWAY_PORT", "30o3", "GATEWAY_DATA_DIR", TestGateway.tempDir().toString()));
        assertThat(p.exit).isEqualTo(2);
        assertThat(p.stderr.strip().lines().toList()).hasSize(1);
        assertThat(p.stderr).startsWith("agc-gateway: cannot start: setting gateway.port (env GATEWAY_PORT)");
    }

    @Test
    void process_secondStartOnLockedH2_printsOneLineAndExits2() throws Exception {
        Map<String, String> s = TestGateway.settings(TestGateway.Store.H2);
        try (Gateway gw = Gateway.start(s)) {
            Proc p = runMain(Map.of("GATEWAY_DATA_DIR", s.get("gateway.data-dir"), "GATEWAY_PORT", String.valueOf(TestGateway.freePort())));
            assertThat(p.exit).isEqualTo(2);
            assertThat(p.stderr).contains("GATEWAY_DATA_DIR").contains("in use by another gateway process");
            assertThat(new Http(gw.baseUrl(), gw.secretKey()).get("/integrations").status()).as("first node unaffected").isEqualTo(200);
        }
    }

    record Proc(int exit, String stdout, String stderr) {
    }

    static Proc runMain(Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-DGATEWAY_LOG_LEVEL=WARN", Gateway.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_"));
        pb.environment().putAll(env);
        File out = File.createTempFile("gateway", ".out");
        File err = File.createTempFile("gateway", ".err");
        pb.redirectOutput(out).redirectError(err);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("gateway process did not exit");
        }
        return new Proc(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8), Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }
}
