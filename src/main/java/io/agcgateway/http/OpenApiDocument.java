package io.agcgateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Serves openapi.yaml (written by hand, checked against real answers by OpenApiDocumentTest) as JSON. */
public final class OpenApiDocument {
    private final String json;

    public OpenApiDocument(String publicUrl) {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the jar");
            }
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("http://localhost:3003", publicUrl);
            this.json = Json.write(new Load(LoadSettings.builder().build()).loadFromString(yaml));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read openapi.yaml", e);
        }
    }

    public String json() {
        return json;
    }

    public void serve(Exchange exchange) {
        exchange.setProperty(HttpReply.STATUS, 200);
        exchange.getMessage().setBody(json);
    }
}
