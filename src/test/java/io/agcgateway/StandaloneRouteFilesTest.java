package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.support.TestGateway;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.ServiceStatus;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each route file drops into a plain camel-main app: it is loaded alone (with the error routeConfiguration) into a
 * fresh context where only the beans it names are bound, and its routes must start. A file that relies on a bean it
 * does not name, or on another file's setup, fails here.
 */
class StandaloneRouteFilesTest {
    private static Gateway donor;

    @BeforeAll
    static void bootDonor() {
        donor = TestGateway.start(TestGateway.Store.H2); // supplies real bean instances, nothing else
    }

    @AfterAll
    static void stopDonor() {
        donor.close();
    }

    static Stream<Path> routeFiles() throws Exception {
        return RouteBeanRefs.routeFiles().stream().filter(p -> !p.getFileName().toString().equals("errors.camel.yaml"));
    }

    @ParameterizedTest
    @MethodSource("routeFiles")
    void routeFile_startsAloneWithOnlyTheBeansItNames(Path file) throws Exception {
        Path errors = Path.of("routes/errors.camel.yaml");
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("false");
        java.util.Properties p = new java.util.Properties();
        p.put("camel.main.name", "standalone");
        p.put("camel.main.routes-include-pattern", "file:" + file + ",file:" + errors);
        p.put("camel.server.enabled", "true");
        p.put("camel.server.host", "127.0.0.1");
        p.put("camel.server.port", String.valueOf(TestGateway.freePort()));
        p.put("camel.main.jmx-enabled", "false");
        donor.settings().all().forEach((k, v) -> {
            if (k.startsWith("gateway.")) {
                p.put(k, v);
            }
        });
        main.setOverrideProperties(p);
        List<String> missing = new ArrayList<>();
        for (String bean : RouteBeanRefs.beans(file, errors)) {
            Object instance = donor.context().getRegistry().lookupByName(bean);
            if (instance == null) {
                missing.add(bean);
            } else {
                main.bind(bean, instance);
            }
        }
        // a URI scheme the gateway binds as a component bean (upstream:); Camel's own components are found on the classpath
        for (String scheme : RouteBeanRefs.schemes(file)) {
            Object component = donor.context().getRegistry().lookupByName(scheme);
            if (component != null) {
                main.bind(scheme, component);
            }
        }
        assertThat(missing).as(file + " names beans the gateway does not provide").isEmpty();
        try {
            main.start();
            assertThat(main.getCamelContext().getRoutes()).as(file + " routes").isNotEmpty();
            main.getCamelContext().getRoutes().forEach(r -> assertThat(main.getCamelContext().getRouteController().getRouteStatus(r.getRouteId()))
                    .as(file + " route " + r.getRouteId()).isEqualTo(ServiceStatus.Started));
        } finally {
            main.stop();
        }
    }
}
