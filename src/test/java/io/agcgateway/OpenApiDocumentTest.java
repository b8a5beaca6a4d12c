package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.agcgateway.http.Json;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /openapi.json describes the real answers: the main calls' bodies validate against the document's own schemas. */
class OpenApiDocumentTest {
    private static Gateway gw;
    private static Http http;
    private static JsonNode doc;

    @BeforeAll
    static void boot() {
        gw = TestGateway.start(TestGateway.Store.H2);
        http = new Http(gw.baseUrl(), gw.secretKey());
        Http.Res r = http.send("GET", "/openapi.json", null, "Authorization", null);
        assertThat(r.status()).isEqualTo(200);
        doc = r.json();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** The call answered {@code status}, with a body valid under paths[path][method].responses[status]. */
    private static void conforms(String path, String method, int status, Http.Res res) {
        assertThat(res.status()).as(method + " " + path + ": " + res.body()).isEqualTo(status);
        JsonNode response = doc.at("/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method + "/responses/" + status);
        assertThat(response.isMissingNode()).as(method + " " + path + " documents status " + status).isFalse();
        if (response.has("$ref")) {
            response = doc.at(response.get("$ref").asText().substring(1));
        }
        JsonNode schemaNode = response.at("/content/application~1json/schema");
        assertThat(schemaNode.isMissingNode()).as(method + " " + path + " " + status + " has a JSON schema").isFalse();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("allOf", Json.MAPPER.createArrayNode().add(schemaNode));
        root.set("components", doc.get("components"));
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(root);
        assertThat(schema.validate(res.json())).as(method + " " + path + " " + status + ": " + res.body()).isEmpty();
    }

    @Test
    void document_isOpenApi31_withEveryApiFamily() {
        assertThat(doc.get("openapi").asText()).startsWith("3.1");
        assertThat(doc.get("paths").fieldNames()).toIterable().contains("/integrations", "/integrations/{uniqueKey}", "/providers",
                "/connect/sessions", "/oauth/connect/{integration}", "/oauth/callback", "/connections", "/connections/{connectionId}",
                "/proxy/{path}", "/logs", "/logs/{id}", "/observe/health", "/observe/metrics");
        assertThat(doc.at("/servers/0/url").asText()).isEqualTo(gw.settings().publicUrl());
    }

    @Test
    void integrationsAndProviders_conform() {
        conforms("/integrations", "post", 200, http.post("/integrations", """
                {"unique_key":"oa","provider":"atlassian-government-cloud","credentials":{"type":"OAUTH2","client_id":"c","client_secret":"s","scopes":"read:jira-work"}}"""));
        conforms("/integrations", "get", 200, http.get("/integrations"));
        conforms("/integrations/{uniqueKey}", "get", 200, http.get("/integrations/oa?include=credentials"));
        conforms("/integrations/{uniqueKey}", "patch", 200, http.patch("/integrations/oa", "{\"display_name\":\"OA\"}"));
        conforms("/integrations/{uniqueKey}", "get", 404, http.get("/integrations/missing"));
        conforms("/integrations", "post", 400, http.post("/integrations", "{\"unique_key\":\"oa-2\",\"provider\":\"no-such-provider\"}"));
        conforms("/integrations", "post", 400, http.post("/integrations", "{\"unique_key\":\"oa\",\"provider\":\"atlassian\"}"));
        conforms("/integrations/{uniqueKey}", "delete", 200, http.delete("/integrations/oa"));
        conforms("/integrations", "get", 401, http.send("GET", "/integrations", null, "Authorization", null));
        conforms("/providers", "get", 200, http.get("/providers"));
        conforms("/providers/{provider}", "get", 200, http.get("/providers/atlassian-government-cloud"));
    }

    @Test
    void connectSessionsConnectionsAndLogs_conform() {
        Http.Res session = http.post("/connect/sessions", "{\"end_user\":{\"id\":\"u1\"},\"allowed_integrations\":[\"agc-sandbox\"]}");
        conforms("/connect/sessions", "post", 201, session);
        Http browser = new Http(gw.baseUrl(), session.json().at("/data/token").asText());
        conforms("/connect/session", "get", 200, browser.get("/connect/session"));
        conforms("/integrations", "get", 200, browser.get("/integrations"));
        conforms("/connect/session", "get", 401, new Http(gw.baseUrl(), "nango_connect_session_bad").get("/connect/session"));
        Http.Res imported = http.post("/connections", """
                {"provider_config_key":"agc-sandbox","connection_id":"openapi-1",
                 "credentials":{"type":"OAUTH2","access_token":"at-openapi","refresh_token":"rt-openapi","expires_at":"2099-01-01T00:00:00Z"},
                 "connection_config":{"cloudId":"4f8e2d1c-6b5a-4c3d-8e9f-1a2b3c4d5e6f"}}""");
        conforms("/connections", "post", 201, imported);
        conforms("/connections", "get", 200, http.get("/connections"));
        conforms("/connections/{connectionId}", "get", 200, http.get("/connections/openapi-1?provider_config_key=agc-sandbox"));
        conforms("/connections/{connectionId}", "get", 404, http.get("/connections/nope?provider_config_key=agc-sandbox"));
        conforms("/logs", "get", 200, http.get("/logs?limit=5"));
        conforms("/logs", "get", 400, http.get("/logs?type=bogus"));
        conforms("/logs/{id}", "get", 404, http.get("/logs/999999999"));
        conforms("/connections/{connectionId}", "delete", 200, http.delete("/connections/openapi-1?provider_config_key=agc-sandbox"));
    }
}
