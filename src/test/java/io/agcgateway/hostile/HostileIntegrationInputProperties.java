package io.agcgateway.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.Gateway;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.springframework.jdbc.core.JdbcTemplate;

/** Property-based hostile input against the integrations API: never a 500, never a stored change from a rejected request. */
class HostileIntegrationInputProperties {
    private static Gateway gw;
    private static Http http;
    private static JdbcTemplate jdbc;

    @BeforeContainer
    static void boot() {
        gw = TestGateway.start(TestGateway.Store.H2);
        http = new Http(gw.baseUrl(), gw.secretKey());
        jdbc = new JdbcTemplate(gw.dataSource());
    }

    @AfterContainer
    static void stop() {
        gw.close();
    }

    private static String snapshot() {
        return String.join("|", jdbc.queryForList(
                "SELECT unique_key || ':' || provider || ':' || COALESCE(client_id,'') || ':' || COALESCE(scopes,'') FROM integrations ORDER BY id",
                String.class));
    }

    @Provide
    Arbitrary<String> nastyStrings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.of("'; DROP TABLE integrations;--", "../../etc/passwd", "%00", "\u0000", "\r\nX-Injected: 1",
                        "<script>alert(1)</script>", "${jndi:ldap://x}", "{{gateway.secret-key}}", "${header.Authorization}",
                        "a".repeat(5000), "\uD83D\uDE00", "\\", "null", "true", "[]", "{}"));
    }

    @Provide
    Arbitrary<String> jsonValues() {
        Arbitrary<String> strings = nastyStrings().map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"")
                .replaceAll("[\\x00-\\x1f]", "") + "\"");
        return Arbitraries.oneOf(strings, Arbitraries.of("null", "1", "-1.5e308", "true", "[]", "{}", "[\"a\"]", "{\"type\":\"OAUTH2\"}"));
    }

    @Property(tries = 80)
    void createWithHostileFields_neverFails500_andStoresNothingWhenRejected(
            @ForAll("jsonValues") String uniqueKey, @ForAll("jsonValues") String provider,
            @ForAll("jsonValues") String credentials, @ForAll("jsonValues") String extra) {
        String before = snapshot();
        String body = "{\"unique_key\":" + uniqueKey + ",\"provider\":" + provider + ",\"credentials\":" + credentials
                + (extra.startsWith("\"a") ? ",\"x\":" + extra : "") + "}";
        Http.Res r = http.post("/integrations", body);
        assertThat(r.status()).as(body).isLessThan(500);
        if (r.status() >= 400) {
            assertThat(r.json().at("/error/code").asText()).as(body).isNotEmpty();
            assertThat(snapshot()).as("rejected request changed nothing").isEqualTo(before);
        } else {
            jdbc.update("DELETE FROM integrations WHERE unique_key <> 'agc-sandbox'");
        }
    }

    @Property(tries = 50)
    void hostileRawBodies_neverFail500(@ForAll("nastyStrings") String raw) {
        String before = snapshot();
        Http.Res r = http.post("/integrations", raw);
        assertThat(r.status()).as(raw).isBetween(400, 499);
        assertThat(snapshot()).isEqualTo(before);
    }

    @Property(tries = 50)
    void hostilePathKeys_neverFail500(@ForAll("nastyStrings") String key) {
        String enc = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        for (Http.Res r : new Http.Res[] {http.get("/integrations/" + enc), http.delete("/integrations/" + enc),
                http.patch("/integrations/" + enc, "{\"display_name\":\"x\"}")}) {
            assertThat(r.status()).as(key).isLessThan(500);
        }
        assertThat(http.get("/integrations/agc-sandbox").status()).isIn(200, 404);
    }

    @Property(tries = 60)
    void hostileAuthHeaders_areAlways401(@ForAll("nastyStrings") String value) {
        String clean = value.replaceAll("[^\\x20-\\x7e]", "");
        if (clean.strip().equalsIgnoreCase("Bearer " + gw.secretKey())) {
            return;
        }
        Http.Res r = http.send("GET", "/integrations", null, "Authorization", clean.isEmpty() ? "x" : clean);
        assertThat(r.status()).as(clean).isEqualTo(401);
    }

}
