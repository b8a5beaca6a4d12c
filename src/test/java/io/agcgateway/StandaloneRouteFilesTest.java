package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.agcgateway.support.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern REF = Pattern.compile("(?m)(?:\\b(?:ref|executorService):\\s*|['\"]#(?:bean:)?)([A-Za-z][A-Za-z0-9]*)");
    /** A URI scheme the gateway binds as a component bean (upstream:); Camel's own components are found on the classpath. */
    private static final Pattern SCHEME = Pattern.compile("(?m)\\buri:\\s*[\"']?([a-z][a-zA-Z0-9-]*):");
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
        try (Stream<Path> walk = Files.walk(Path.of("routes"))) {
            return walk.filter(p -> p.toString().endsWith(".camel.yaml") && !p.getFileName().toString().equals("errors.camel.yaml"))
                    .sorted().toList().stream();
        }
    }

    static Set<String> beansNamedIn(Path... files) throws Exception {
        Set<String> names = new TreeSet<>();
        for (Path f : files) {
            Matcher m = REF.matcher(Files.readString(f));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
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
        for (String bean : beansNamedIn(file, errors)) {
            Object instance = donor.context().getRegistry().lookupByName(bean);
            if (instance == null) {
                missing.add(bean);
            } else {
                main.bind(bean, instance);
            }
        }
        Matcher schemes = SCHEME.matcher(Files.readString(file));
        while (schemes.find()) {
            Object component = donor.context().getRegistry().lookupByName(schemes.group(1));
            if (component != null) {
                main.bind(schemes.group(1), component);
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
