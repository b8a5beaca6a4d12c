package io.agcgateway.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.agcgateway.GatewayBeans;
import io.agcgateway.support.Http;
import io.agcgateway.support.TestGateway;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The route files drop into a Camel Spring Boot app: the app below is what a user writes (one CamelContextConfiguration
 * calling GatewayBeans.install, the routes from the jar through camel.main.routes-include-pattern, no web server of
 * Spring's), and the gateway serves its API and proxy on gateway.port from it.
 */
class SpringBootDropInTest {
    /** The user's whole app: the gateway keeps its own store, so Spring's DataSource and Flyway stay off. */
    @SpringBootConfiguration
    @EnableAutoConfiguration(exclude = {DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class})
    static class DropInApp {
        final List<GatewayBeans> installed = new CopyOnWriteArrayList<>();

        @Bean
        CamelContextConfiguration agcGateway() {
            return new CamelContextConfiguration() {
                @Override
                public void beforeApplicationStart(CamelContext context) {
                    installed.add(GatewayBeans.install(context));
                }

                @Override
                public void afterApplicationStart(CamelContext context) {
                }
            };
        }
    }

    static final List<String> upstreamSaw = new CopyOnWriteArrayList<>();
    static HttpServer upstream;
    static ConfigurableApplicationContext app;
    static Http http;
    static String loggingSystem;
    static int port;

    @BeforeAll
    static void boot() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/up", ex -> {
            upstreamSaw.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"accountId\":\"a-1\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        upstream.start();
        String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
        Path catalog = Files.createTempFile("providers-springboot", ".yaml");
        Files.writeString(catalog, "test-upstream:\n    display_name: Test upstream\n    auth_mode: OAUTH2\n"
                + "    authorization_url: " + base + "/authorize\n    token_url: " + base + "/oauth/token\n"
                + "    proxy:\n        base_url: " + base + "/up\n");
        port = TestGateway.freePort();
        String key = UUID.randomUUID().toString();
        // the test JVM's logback stays as the other tests set it up
        loggingSystem = System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        // the port and the app's name as the host app's lowest-ranked settings (below any config file): a config file
        // of the gateway's on Spring's path (classpath:config/application.properties) would beat them, as it once did.
        // Spring's file:./config/ is left out: here the working directory is this repository, whose config/ a host app
        // would not have.
        app = new SpringApplicationBuilder(DropInApp.class).web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF)
                .registerShutdownHook(false)
                .properties(java.util.Map.of("gateway.port", String.valueOf(port), "camel.main.name", "springboot-dropin"))
                .run("--spring.config.location=optional:classpath:/,optional:classpath:/config/",
                        "--camel.main.routes-include-pattern=classpath:routes/*.camel.yaml",
                        "--camel.main.routes-exclude-pattern=**/sandbox/*",
                        "--camel.main.jmx-enabled=false",
                        "--gateway.host=127.0.0.1", "--gateway.secret-key=" + key,
                        "--gateway.data-dir=" + TestGateway.tempDir(), "--gateway.providers=" + catalog,
                        "--gateway.sandbox=false");
        http = new Http("http://127.0.0.1:" + port, key);
    }

    /** Stopping the Spring app stops the gateway with it: HTTP port released, store closed (GatewayLifecycle). */
    @AfterAll
    static void shutdown_releasesThePortAndTheStore() {
        List<GatewayBeans> installed = app == null ? List.of() : app.getBean(DropInApp.class).installed;
        if (app != null) {
            app.close();
        }
        try {
            assertThat(installed).allSatisfy(b -> assertThat(b.dataSource().isClosed()).as("store closed").isTrue());
            assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port).close()).as("port released")
                    .isInstanceOf(java.net.ConnectException.class);
        } finally {
            stopUpstreamAndRestoreLogging();
        }
    }

    static void stopUpstreamAndRestoreLogging() {
        if (upstream != null) {
            upstream.stop(0);
        }
        if (loggingSystem == null) {
            System.clearProperty("org.springframework.boot.logging.LoggingSystem");
        } else {
            System.setProperty("org.springframework.boot.logging.LoggingSystem", loggingSystem);
        }
    }

    @Test
    void integrations_servedWithTheSecretKey_andRefusedWithout() {
        Http.Res r = http.get("/integrations");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("data").isArray()).isTrue();
        Http.Res anonymous = http.get("/integrations", "Authorization", null);
        assertThat(anonymous.status()).isEqualTo(401);
    }

    @Test
    void proxy_callsTheUpstreamWithTheImportedToken() {
        Http.Res integration = http.post("/integrations", """
                {"unique_key":"jira","provider":"test-upstream","credentials":{"type":"OAUTH2","client_id":"a","client_secret":"b"}}""");
        assertThat(integration.status()).as(integration.body()).isEqualTo(200);
        Http.Res imported = http.post("/connections", """
                {"provider_config_key":"jira","connection_id":"c1","credentials":{"type":"OAUTH2","access_token":"at-sb",
                 "refresh_token":"rt-sb","expires_at":"2099-01-01T00:00:00Z"}}""");
        assertThat(imported.status()).as(imported.body()).isEqualTo(201);

        Http.Res proxied = http.get("/proxy/rest/api/3/myself?expand=groups", "Provider-Config-Key", "jira", "Connection-Id", "c1");

        assertThat(proxied.status()).as(proxied.body()).isEqualTo(200);
        assertThat(proxied.json().path("accountId").asText()).isEqualTo("a-1");
        assertThat(upstreamSaw).containsExactly("GET /up/rest/api/3/myself?expand=groups Bearer at-sb");
    }

    @Test
    void hostAppSettings_winOverTheGatewaysBuiltInDefaults() {
        assertThat(app.getBean(CamelContext.class).getName()).as("the host app names its context, not the gateway's file")
                .isEqualTo("springboot-dropin");
        assertThat(http.get("/integrations").status()).as("served on the host app's gateway.port").isEqualTo(200);
    }

    @Test
    void install_ranOnce_andTheLifecycleBelongsToTheContext() {
        List<GatewayBeans> installed = app.getBean(DropInApp.class).installed;
        assertThat(installed).hasSize(1);
        assertThat(installed.get(0).dataSource().isClosed()).isFalse();
        assertThat(app.getBean(CamelContext.class).getRegistry().lookupByName("eventLoopServers")).as("event-loop servers took over").isNotNull();
    }
}
