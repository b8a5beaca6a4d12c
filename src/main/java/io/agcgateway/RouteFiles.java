package io.agcgateway;

import io.agcgateway.config.StartupException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The route files camel-main loads: each one in the jar (or classes dir), replaced by ./routes/NAME when that
 * exists, plus any extra ./routes/*.camel.yaml. routes/sandbox/ only in sandbox mode.
 */
final class RouteFiles {
    private RouteFiles() {
    }

    /** @return camel-main resource locations ({@code classpath:routes/x.camel.yaml}, {@code file:routes/y.camel.yaml}) */
    static List<String> locations(boolean sandbox) {
        TreeSet<String> bundled = new TreeSet<>(bundled());
        TreeSet<String> local = local(sandbox);
        List<String> out = new ArrayList<>();
        for (String name : bundled) {
            if (name.startsWith("sandbox/") && !sandbox) {
                continue;
            }
            out.add(local.contains(name) ? "file:routes/" + name : "classpath:routes/" + name);
        }
        for (String name : local) {
            if (!bundled.contains(name)) {
                out.add("file:routes/" + name);
            }
        }
        if (out.isEmpty()) {
            throw new StartupException("no route files found in the jar or ./routes: rebuild with mvn package");
        }
        return out;
    }

    private static TreeSet<String> local(boolean sandbox) {
        TreeSet<String> local = new TreeSet<>();
        Path dir = Path.of("routes");
        for (String sub : sandbox ? List.of("", "sandbox/") : List.of("")) {
            Path d = dir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> files = Files.list(d)) {
                    files.filter(p -> p.getFileName().toString().endsWith(".camel.yaml"))
                            .forEach(p -> local.add(sub + p.getFileName()));
                } catch (IOException e) {
                    throw new StartupException("cannot list " + d.toAbsolutePath() + ": " + e.getMessage());
                }
            }
        }
        return local;
    }

    private static List<String> bundled() {
        List<String> names = new ArrayList<>();
        try {
            Path source = Path.of(RouteFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                Path routes = source.resolve("routes");
                if (Files.isDirectory(routes)) {
                    try (Stream<Path> walk = Files.walk(routes)) {
                        walk.filter(p -> p.toString().endsWith(".camel.yaml"))
                                .forEach(p -> names.add(routes.relativize(p).toString().replace('\\', '/')));
                    }
                }
            } else {
                try (JarFile jar = new JarFile(source.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (n.startsWith("routes/") && n.endsWith(".camel.yaml")) {
                            names.add(n.substring("routes/".length()));
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new StartupException("cannot list the bundled routes: " + e.getMessage());
        }
        Collections.sort(names);
        return names;
    }
}
