package io.agcgateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.agcgateway.http.Json;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** config/providers.schema.json describes what ProviderCatalog accepts, and the shipped catalogs follow it. */
class ProvidersSchemaTest {
    private static final Path SCHEMA = Path.of("config/providers.schema.json");
    private static Schema schema;
    private static JsonNode schemaJson;

    @BeforeAll
    static void load() throws Exception {
        schemaJson = Json.MAPPER.readTree(Files.readString(SCHEMA));
        try (InputStream in = Files.newInputStream(SCHEMA)) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
    }

    private static JsonNode yaml(String text) {
        return Json.MAPPER.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"config/providers.yaml", "config/providers-sandbox.yaml"})
    void shippedCatalog_validatesAgainstTheSchema_namedOnItsFirstLine(String file) throws Exception {
        String text = Files.readString(Path.of(file));
        assertThat(text.lines().findFirst()).hasValue("# yaml-language-server: $schema=./providers.schema.json");
        assertThat(schema.validate(yaml(text))).as(file + " schema errors").isEmpty();
    }

    @Test
    void schemaKeys_areExactlyTheKeysProviderCatalogAccepts() {
        JsonNode provider = schemaJson.at("/$defs/provider/properties");
        assertThat(names(provider)).isEqualTo(ProviderCatalog.KNOWN_FIELDS);
        assertThat(names(provider.at("/proxy/properties"))).isEqualTo(ProviderCatalog.KNOWN_PROXY_FIELDS);
        assertThat(names(provider.at("/proxy/properties/retry/properties"))).isEqualTo(ProviderCatalog.KNOWN_RETRY_FIELDS);
    }

    @Test
    void schema_refusesWhatTheCatalogRefuses() {
        String ok = """
                p:
                    display_name: P
                    auth_mode: OAUTH2
                    authorization_url: https://a.example/authorize
                    token_url: https://a.example/token
                    token_request_auth_method: basic
                    disable_pkce: true
                    proxy:
                        base_url: https://api.example
                        headers: {X-Site: 'a ${connectionConfig.cloudId} $5'}
                        retry: {at: [x-ratelimit-reset], after: [retry-after]}
                """;
        assertThat(schema.validate(yaml(ok))).isEmpty();
        for (String[] bad : new String[][] {{"    disable_pkce: true", "    post_connection_script: x"},
                {"token_request_auth_method: basic", "token_request_auth_method: custom"},
                {"https://a.example/token", "ftp://a.example/token"},
                {"        headers: {X-Site: 'a ${connectionConfig.cloudId} $5'}", "        headers: {X-Site: '${credentials.key}'}"},
                {"retry: {at:", "retry: {in_body: x, at:"}, {"        headers", "        query: {a: b}\n        headers"}}) {
            assertThat(ok).contains(bad[0]);
            assertThat(schema.validate(yaml(ok.replace(bad[0], bad[1])))).as(bad[1]).isNotEmpty();
        }
    }

    private static Set<String> names(JsonNode properties) {
        Set<String> out = new HashSet<>();
        properties.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
