package io.agcgateway;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The beans a route file names, read from its YAML: {@code ref:} (bean, process, method expressions),
 * {@code executorService:} and {@code "#name"} / {@code "#bean:name"} option values; and the URI schemes it uses,
 * which Camel resolves to a bean of that name when one is bound (a component such as upstream:). A {@code beanType:}
 * is refused: Camel would build that bean itself, outside GatewayBeans.
 */
final class RouteBeanRefs {
    private static final Set<String> NAME_KEYS = Set.of("ref", "executorService");

    private RouteBeanRefs() {
    }

    static List<Path> routeFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(Path.of("routes"))) {
            return walk.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }

    static Set<String> beans(Path... files) throws IOException {
        Set<String> names = new TreeSet<>();
        for (Path f : files) {
            walk(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(f)), null, names, new TreeSet<>());
        }
        return names;
    }

    static Set<String> schemes(Path file) throws IOException {
        Set<String> schemes = new TreeSet<>();
        walk(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file)), null, new TreeSet<>(), schemes);
        return schemes;
    }

    /** {@code #name} values of a properties file (e.g. camel.component.x.header-filter-strategy = #bean). */
    static Set<String> beansInProperties(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Set<String> names = new TreeSet<>();
        p.values().forEach(v -> hashRef(v.toString().strip(), names));
        return names;
    }

    private static void walk(Object node, String key, Set<String> names, Set<String> schemes) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, String.valueOf(k), names, schemes));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> walk(v, key, names, schemes));
        } else if (node instanceof String s) {
            if ("beanType".equals(key)) {
                throw new IllegalStateException("beanType: " + s + " is built by Camel, not GatewayBeans: bind it there and use ref:");
            }
            if (NAME_KEYS.contains(key)) {
                names.add(s);
            } else if ("uri".equals(key) && s.matches("[a-z][a-zA-Z0-9-]*:.*")) {
                schemes.add(s.substring(0, s.indexOf(':')));
            } else {
                hashRef(s, names);
            }
        }
    }

    private static void hashRef(String value, Set<String> names) {
        if (value.startsWith("#bean:")) {
            names.add(value.substring("#bean:".length()));
        } else if (value.matches("#[A-Za-z][A-Za-z0-9]*")) {
            names.add(value.substring(1));
        }
    }
}
