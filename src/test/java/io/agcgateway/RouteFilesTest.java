package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.agcgateway.http.Json;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Route files are canonical YAML DSL that the Camel YAML schema (what Kaoto uses) accepts, with ids named after the file. */
class RouteFilesTest {
    private static Schema schema;

    @BeforeAll
    static void loadSchema() throws Exception {
        try (InputStream in = RouteFilesTest.class.getClassLoader().getResourceAsStream("schema/camelYamlDsl.json")) {
            assertThat(in).as("camel-yaml-dsl ships schema/camelYamlDsl.json").isNotNull();
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
        }
    }

    static Stream<Path> routeFiles() throws Exception {
        try (Stream<Path> walk = Files.walk(Path.of("routes"))) {
            List<Path> files = walk.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
            assertThat(files).isNotEmpty();
            return files.stream();
        }
    }

    private static JsonNode read(Path file) throws Exception {
        Object yaml = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
        return Json.MAPPER.valueToTree(yaml);
    }

    @ParameterizedTest
    @MethodSource("routeFiles")
    void routeFile_validatesAgainstCamelYamlSchema(Path file) throws Exception {
        assertThat(schema.validate(read(file))).as(file + " schema errors").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("routeFiles")
    void routeIds_areTheFileName_orPrefixedByIt(Path file) throws Exception {
        String name = file.getFileName().toString().replace(".camel.yaml", "");
        boolean first = true;
        for (JsonNode item : read(file)) {
            JsonNode route = item.get("route");
            if (route == null) {
                continue;
            }
            String id = route.path("id").asText();
            if (first) {
                assertThat(id).as(file + " first route id").isEqualTo(name);
                first = false;
            } else {
                assertThat(id).as(file + " route id").startsWith(name + "-");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("routeFiles")
    void routeFile_usesCanonicalForms_noInlineScripts(Path file) throws Exception {
        String text = Files.readString(file);
        assertThat(text).as(file + ": no inline scripts").doesNotContain("groovy:").doesNotContain("js:").doesNotContain("joor:");
        for (JsonNode item : read(file)) {
            item.findParents("to").forEach(parent -> {
                JsonNode to = parent.get("to");
                assertThat(to.isTextual() && to.asText().contains("?")).as(file + ": to with options uses uri+parameters").isFalse();
            });
        }
    }
}
